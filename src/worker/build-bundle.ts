// Writes the workflow bundle to a file, once, at image build time (Dockerfile): the worker then starts with
// `workflowBundle: { codePath }` instead of running webpack on every start, and `replay` in the same image
// checks that very file. The bundle must come from the same @temporalio/worker version that runs it, which
// the Dockerfile guarantees by building it from the image's own lockfile.
//   node dist/src/worker/build-bundle.js /app/workflow-bundle.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildInstallerBundle } from './worker';

export async function writeInstallerBundle(file: string): Promise<number> {
  const { code } = await buildInstallerBundle();
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, code);
  return Buffer.byteLength(code);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: build-bundle <output.js>\n');
    process.exit(2);
  }
  writeInstallerBundle(file).then(
    (bytes) => { process.stdout.write(`Wrote workflow bundle ${file} (${bytes} bytes)\n`); },
    (err) => { process.stderr.write(`Cannot build the workflow bundle: ${(err as Error).message}\n`); process.exit(1); },
  );
}
