// helm (MicroK8s' helm3): the chart release's state.
import { CHART_NAMESPACE, RELEASE } from './chart';
import { query, sh, type RemoteCommand } from './sh';

/** `helm status -o json`: `.info.status` is `deployed`, `failed`, `pending-install`...; rc 1 `Error: release: not found`. */
export const helmStatus = (): RemoteCommand => query(sh`sudo microk8s helm3 status ${RELEASE} -n ${CHART_NAMESPACE} -o json`, { okCodes: [0, 1] });

export function parseHelmStatus(text: string, code: number): { exists: boolean; status?: string; revision?: number } {
  if (code !== 0) return { exists: false };
  const j = JSON.parse(text) as { info?: { status?: string }; version?: number };
  return { exists: true, status: j.info?.status, revision: j.version };
}
