// Errors meant for a person, shared by the CLI, the codec and the worker's start-up.
// Exit codes (DESIGN.md section 6): 0 success, 1 a failed operation, 2 bad input.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** An error whose message is meant for a person; `exitCode` says which kind of failure it is. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_FAILED) {
    super(message);
    this.name = 'UserError';
  }
}
