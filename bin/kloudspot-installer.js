#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx kloudspot-installer` works from a clone without a build.
require('tsx/cjs');
require('../src/client/cli.ts');
