// helm (MicroK8s' helm3): the chart release's state.
import { CHART_NAMESPACE, RELEASE } from './chart';
import { query, sh, SUDO, type RemoteCommand } from './sh';

/** `helm status -o json`: `.info.status` is `deployed`, `failed`, `pending-install`...; rc 1 `Error: release: not found`. */
export const helmStatus = (): RemoteCommand => query(sh`${SUDO} microk8s helm3 status ${RELEASE} -n ${CHART_NAMESPACE} -o json`, { okCodes: [0, 1] });

/**
 * helm's own words for a missing release: the storage driver's ErrReleaseNotFound (`release: not found`,
 * pkg/storage/driver/driver.go), printed by the CLI as `Error: release: not found`. The same exit 1 with
 * `Error: Kubernetes cluster unreachable: ...` (MicroK8s stopped) or a sudo refusal is no answer at all.
 */
export const releaseNotFound = (stderr: string): boolean => /^Error: release: not found$/m.test(stderr);

/** `helm status -o json` output, or undefined for a missing release (see releaseNotFound). */
export function parseHelmStatus(text: string | undefined): { exists: boolean; status?: string; revision?: number } {
  if (text === undefined) return { exists: false };
  const j = JSON.parse(text) as { info?: { status?: string }; version?: number };
  return { exists: true, status: j.info?.status, revision: j.version };
}
