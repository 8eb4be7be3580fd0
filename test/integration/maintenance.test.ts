// Later operations on an installed site: update the deployment, add a worker node, uninstall the chart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { parseSiteSpec } from '../../src/site/load';
import { startInstall } from '../../src/client/installs';
import { finish, recordHistory, startInstallEnv, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

test('updateDeployment, addNode and uninstall reuse the install\'s phases', { timeout: 400_000 }, async () => {
  const fleet = await startFleet({ nodes: 4, site: 'later', seed: 31, specOverrides: { tls: { mode: 'self-signed' } } });
  try {
    const full = fleet.spec;
    const three = parseSiteSpec({ ...full, nodes: full.nodes.slice(0, 3) });
    const installed = await finish(await startInstall(env.client, three));
    assert.equal(installed.state, 'completed');
    const release = () => fleet.clusterOf('k8s-vm-1')!;
    assert.ok(release());

    // Update: values rewritten, `kloudspot update --update-helm` bumps the revision.
    const changed = parseSiteSpec({ ...three, storage: { ...three.storage, kafka: 5 } });
    const updated = await finish(await startInstall(env.client, changed, 'updateDeployment'));
    assert.equal(updated.state, 'completed');
    await recordHistory(env.client, `update/${three.site}`, 'update-deployment_v2');
    const values = fleet.node('k8s-vm-1').state.files.get('/etc/kloudspot/values.yaml')?.content ?? '';
    assert.match(values, /kafka: "5Gi"/);
    assert.ok(fleet.effects('k8s-vm-1').some((e) => /update|upgrade/i.test(e.effect ?? '') && /kloudspot update/.test(e.command)), 'kloudspot update ran');

    // Add the fourth node as a worker: prepared, every hosts file updated, joined with --worker.
    const grown = parseSiteSpec({ ...changed, nodes: full.nodes });
    const added = await finish(await startInstall(env.client, grown, 'addNode', [grown, 'k8s-vm-4']));
    assert.equal(added.state, 'completed');
    await recordHistory(env.client, `add-node/${grown.site}/k8s-vm-4`, 'add-node_v2');
    assert.equal(fleet.node('k8s-vm-4').state.hostname, 'k8s-vm-4');
    for (const n of ['k8s-vm-1', 'k8s-vm-2', 'k8s-vm-3', 'k8s-vm-4']) {
      assert.match(fleet.node(n).state.files.get('/etc/hosts')?.content ?? '', /^\S+ k8s-vm-4$/m, `${n} resolves k8s-vm-4`);
    }
    assert.equal(fleet.clusterOf('k8s-vm-4'), fleet.clusterOf('k8s-vm-1'));
    assert.ok(fleet.effects('k8s-vm-4').some((e) => /as worker/.test(e.effect ?? '')));

    // Uninstall: `kloudspot stop`, release and pods gone.
    const removed = await finish(await startInstall(env.client, grown, 'uninstall'));
    assert.equal(removed.state, 'completed');
    assert.ok(fleet.effects('k8s-vm-1').some((e) => /kloudspot stop/.test(e.command) && e.effect));
    assert.deepEqual(fleet.duplicateEffects(), []);
  } finally {
    await fleet.stop();
  }
});
