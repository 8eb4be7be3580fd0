// "Already done?" of the kloudspot-init step: the values file `kloudspot init` wrote carries the spec's answers.
import { fileMissing, readFile } from '../commands/files';
import { INIT_VALUES_FILE, initValuesMismatches, parseInitValues, type KloudspotInitInput } from '../commands/kloudspot-init';
import { runLookup, type ActivityDeps } from '../run';
import type { SshTarget } from '../ssh';
import { done, todo, type Check } from './check';

export function createKloudspotInitChecks(deps: ActivityDeps) {
  return {
    /** `mismatches`: how the file differs from the spec (empty when done or when there is no file). */
    async initValues(first: SshTarget, input: KloudspotInitInput): Promise<Check & { present: boolean; mismatches: string[] }> {
      const current = await runLookup(deps, first, readFile(INIT_VALUES_FILE), fileMissing);
      if (!current) return { ...todo(`kloudspot init (no ${INIT_VALUES_FILE} yet)`), present: false, mismatches: [] };
      let mismatches: string[];
      try {
        mismatches = initValuesMismatches(parseInitValues(current.stdout), input);
      } catch {
        mismatches = ['it is not YAML'];
      }
      if (mismatches.length === 0) return { ...done(`${INIT_VALUES_FILE} carries the spec's answers`), present: true, mismatches };
      return { ...todo(`kloudspot init again: ${INIT_VALUES_FILE} differs (${mismatches.slice(0, 3).join('; ')})`), present: true, mismatches };
    },
  };
}
