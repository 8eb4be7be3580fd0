// Code the production image leaves out (Dockerfile: the simulator, the demo, the throwaway certificates).
// Commands that need it load it through here, so in that image they say so instead of MODULE_NOT_FOUND.
import { EXIT_FAILED, UserError } from './errors';

/** The compiled paths the Dockerfile removes after `tsc` (checked by test/e2e/production-build.test.ts). */
export const DEV_ONLY_PATHS = ['src/sim', 'src/client/demo.js', 'src/client/certs.js'] as const;

export class NotInThisBuildError extends UserError {
  constructor(what: string) {
    super(`${what} is not in this build: the production image leaves out the node simulator, the demo and the ` +
      'throwaway-certificate code. Run it from a clone of the repository (`npm ci`, then `npx kloudspot-installer ...`).', EXIT_FAILED);
    this.name = 'NotInThisBuildError';
  }
}

/** Runs `load` (a `require` of a dev-only module); a missing module becomes NotInThisBuildError naming `what`. */
export function loadDevOnly<T>(what: string, module: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Only the dev-only module itself being absent: a broken dependency inside it stays a real error.
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${module}'`)) throw new NotInThisBuildError(what);
    throw err;
  }
}
