// One data converter for the worker, the CLI and the tests. In SDK 1.24 a DataConverter holds payload codecs
// as objects (they run in the worker's main thread and the client, never in the workflow sandbox) but the
// failure converter only as a module path, because the sandbox must bundle it: workflow code converts its own
// errors to failures. So the worker's workflow bundle must be built with the same path:
//   bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH })
// (Worker.create with workflowsPath picks it up from dataConverter by itself).
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, CodecKeyError, loadCodecKeys, type CodecKeys } from './codec';

export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export function createDataConverter(keys: CodecKeys): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

export const NO_KEY_MESSAGE =
  'no payload encryption key configured: set KLOUDSPOT_CODEC_KEY_FILE or --codec-key-file ' +
  '(create one with `kloudspot-installer codec-key new FILE`), or pass --insecure-plaintext for a throwaway test setup';

/**
 * The converter for a worker or CLI process: encrypted with the configured keys, `undefined` (SDK defaults,
 * plaintext history) only when `insecurePlaintext` is asked for; otherwise a missing key is an error.
 */
export function resolveDataConverter(o: { keyFile?: string; insecurePlaintext?: boolean; env?: NodeJS.ProcessEnv } = {}): DataConverter | undefined {
  if (o.insecurePlaintext) return undefined;
  const keys = loadCodecKeys({ keyFile: o.keyFile, env: o.env });
  if (!keys) throw new CodecKeyError(NO_KEY_MESSAGE);
  return createDataConverter(keys);
}
