// The CLI's errors live in src/errors.ts (the codec and the worker use them too).
export { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, UserError } from '../errors';
