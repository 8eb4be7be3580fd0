// What the worker's codec puts in place of a payload that was not encrypted with the installer's key. Anyone
// who can reach Temporal can start a workflow or send a signal without the codec (plaintext payloads); the key
// is the credential, so such a payload never reaches workflow or activity code as a value. The workflow sees
// this marker instead and refuses with a reason (workflows/refusals.ts). Pure: bundled into the workflow sandbox.

export const REFUSED_MARKER = 'kloudspotRefusedPayload';

export interface RefusedPayload { [REFUSED_MARKER]: string }

export const PLAINTEXT_REFUSAL =
  'was not encrypted with the installer\'s codec key, so the worker refuses it: anyone who can reach the Temporal ' +
  'frontend can send plaintext, only a holder of the key can send ciphertext. Fix: send it with kloudspot-installer ' +
  '(KLOUDSPOT_CODEC_KEY_FILE set to the worker\'s key file) or through the Web UI with the codec server';

export function refusedPayload(encoding: string | undefined): RefusedPayload {
  return { [REFUSED_MARKER]: `a payload with encoding ${JSON.stringify((encoding ?? 'none').slice(0, 40))}` };
}

/** True for the marker at the top of a value (each workflow argument is checked on its own). */
export function isRefused(value: unknown): value is RefusedPayload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)[REFUSED_MARKER] === 'string';
}

/** The first refused argument's description, or undefined when every argument was encrypted. */
export function refusedArgument(args: readonly unknown[]): string | undefined {
  const r = args.find(isRefused);
  return r ? `${r[REFUSED_MARKER]} ${PLAINTEXT_REFUSAL}` : undefined;
}
