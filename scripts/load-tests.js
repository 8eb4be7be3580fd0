// Loads the test files given into this one process; node:test runs them once they are registered. The unit tier
// runs this way: its files are pure, and one process saves a Node + tsx start per file (~1 s of CPU each).
const { resolve } = require('node:path');
for (const file of process.argv.slice(2)) require(resolve(file));
