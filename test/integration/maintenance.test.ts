// Later operations on an installed site: update the deployment, add a worker node, uninstall the chart; update and
// add-node refuse while a reset of the site runs (the CLI at once, the workflow itself when started another way).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { parseSiteSpec } from '../../src/site/load';
import { confirmReset, startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import { failureOf, finish, recordHistory, waitForQuestion, startInstallEnv, type InstallEnv } from '../helpers/install';

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

    // While a reset waits for its confirmation, update and add-node refuse before any node is touched, naming the reset.
    const changed = parseSiteSpec({ ...three, storage: { ...three.storage, kafka: 5 } });
    const grown = parseSiteSpec({ ...changed, nodes: full.nodes });
    const reset = await startInstall(env.client, three, 'resetSite');
    await waitForQuestion(reset, (q) => q.kind === 'confirmReset');
    const before = { effects: fleet.effects().length, newNode: fleet.audit('k8s-vm-4').length };
    const refusal = (what: string, then: string) => new RegExp(`^reset/later is running: ${what}, so nothing was done\\. Fix: wait for the reset to finish ` +
      `\\(\`kloudspot-installer watch later\`\\), or end it while it asks for confirmation \\(\`kloudspot-installer confirm-reset later --abort\`\\), then ${then}`);
    const updateRefusal = refusal('an update now would change a site the reset is taking apart', 'update again');
    const addNodeRefusal = refusal('a node added now would join a cluster the reset is taking apart', 'add the node again');
    await assert.rejects(startInstall(env.client, changed, 'updateDeployment'), (e: Error) => updateRefusal.test(e.message), 'the CLI refuses an update');
    await assert.rejects(startInstall(env.client, grown, 'addNode', [grown, 'k8s-vm-4']), (e: Error) => addNodeRefusal.test(e.message), 'the CLI refuses add-node');
    const direct = (type: string, workflowId: string, args: unknown[]) =>
      env.client.workflow.start(type, { taskQueue: api.TASK_QUEUE, workflowId, args }).then((h) => h.result());
    assert.match(await failureOf(direct('updateDeployment', 'update/later', [changed])), updateRefusal);
    assert.match(await failureOf(direct('addNode', 'add-node/later/k8s-vm-4', [grown, 'k8s-vm-4'])), addNodeRefusal);
    assert.equal(fleet.effects().length, before.effects, 'the refused update and add-node changed nothing on any node');
    assert.equal(fleet.audit('k8s-vm-4').length, before.newNode, 'the refused add-node ran no command on the new node');
    assert.equal(await confirmReset(env.client, 'later', { answer: 'abort' }), 'reset aborted');
    assert.match(await failureOf(finish(reset)), /reset aborted/);
    assert.equal(fleet.effects().length, before.effects, 'the aborted reset changed nothing');

    // Update: values rewritten, `kloudspot update --update-helm` bumps the revision.
    const updated = await finish(await startInstall(env.client, changed, 'updateDeployment'));
    assert.equal(updated.state, 'completed');
    await recordHistory(env.client, `update/${three.site}`, 'update-deployment_v2');
    const values = fleet.node('k8s-vm-1').state.files.get('/etc/kloudspot/values.yaml')?.content ?? '';
    assert.match(values, /kafka: "5Gi"/);
    assert.ok(fleet.effects('k8s-vm-1').some((e) => /update|upgrade/i.test(e.effect ?? '') && /kloudspot update/.test(e.command)), 'kloudspot update ran');

    // Add the fourth node as a worker: prepared, every hosts file updated, joined with --worker.
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
