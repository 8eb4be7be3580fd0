// A site workflow's input is checked with the CLI's own schema before anything acts: a start from outside the
// CLI (the Temporal CLI, the Web UI, a script with the codec key) cannot carry what the CLI would refuse, such as
// a tools URL over plain http or a node name with a newline that would land in /etc/hosts.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { FailureType } from '../activities/failures';
import { RFC1123_LABEL } from '../site/patterns';
import type { SiteSpec } from '../site/schema';
import { SpecError, parseSiteSpec } from '../site/validate';

/** The spec as the schema reads it (defaults filled in); a spec it refuses fails the workflow with every problem. */
export function checkedSpec(input: SiteSpec): SiteSpec {
  // Runs started before this check replay as they ran (their specs came through the CLI, already checked).
  if (!patched('validate-site-spec')) return input;
  try {
    return parseSiteSpec(input, 'workflow input');
  } catch (err) {
    const message = err instanceof SpecError ? err.message : `workflow input: ${(err as Error).message}`;
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `${message}\nNothing was run on any node. Fix the spec and start the workflow with kloudspot-installer.`, nonRetryable: true });
  }
}

/** A node name given beside the spec (addNode): the same pattern as nodes[].name. */
export function checkedNodeName(name: unknown): string {
  if (typeof name !== 'string' || !RFC1123_LABEL.test(name)) {
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `workflow input: node name ${JSON.stringify(String(name).slice(0, 80))} is not an RFC 1123 label. Fix: use the node's name from nodes[] (lowercase letters, digits and hyphens)`, nonRetryable: true });
  }
  return name;
}
