// One simulated node brought up to MicroK8s with the OpenEBS add-on, as configure-storage finds it: hostname,
// the Kloudspot tools (MicroK8s with them), iscsid, the community and openebs add-ons. Shared by the sim tests
// that exercise storage steps against a single node.
import assert from 'node:assert/strict';
import type { Fleet } from '../../src/sim';
import type { SshPool, SshTarget } from '../../src/activities/ssh';
import { run, type ActivityDeps } from '../../src/activities/run';
import { createClusterActivities } from '../../src/activities/cluster';
import { createStorageActivities } from '../../src/activities/storage';
import { waitReady } from '../../src/activities/commands/microk8s';
import { setHostname } from '../../src/activities/commands/systemd';
import { prep } from './commands';
import { simTarget } from './sim';

/** `beforeAddons` runs once MicroK8s is ready and before OpenEBS comes (e.g. LVs NDM must see at its first scan). */
type BeforeAddons = (deps: ActivityDeps, t: SshTarget) => Promise<void>;
export async function openebsOnOneNode(fleet: Fleet, pool: SshPool, name: string, beforeAddons?: BeforeAddons): Promise<{ t: SshTarget; deps: ActivityDeps }> {
  const t = simTarget(fleet, name);
  const deps = { pool, pollMs: 50 };
  assert.equal((await run(deps, t, setHostname(name))).code, 0);
  assert.equal((await run(deps, t, prep.installTools(fleet.spec.kloudspot.toolsUrl))).code, 0);
  assert.equal((await run(deps, t, waitReady(60))).code, 0);
  await beforeAddons?.(deps, t);
  await createStorageActivities(deps).enableIscsid(t);
  const cluster = createClusterActivities(deps);
  await cluster.enableAddon(t, 'community');
  await cluster.enableAddon(t, 'openebs');
  return { t, deps };
}
