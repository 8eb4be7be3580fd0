// reset: refused while an install runs; an abort answer changes nothing; a confirmed reset after a completed
// install takes the simulated nodes back to the state of a new fleet's (field by field), plan then shows the
// install again, and a new install completes. Real dev server, real SSH to the simulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import * as api from '../../src/workflows/api';
import type { SitePlan } from '../../src/workflows/plan';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { failureOf, finish, startInstallEnv, TEST_CODEC_KEY_FILE, waitForQuestion, type InstallEnv } from '../helpers/install';
import { machineState, unitSettled } from '../helpers/fresh-compare';
import { NETPLAN_RESET_UNIT } from '../../src/activities/commands/netplan';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

const fleetOptions = { nodes: [{}, {}, {}, { role: 'worker' as const }], site: 'resetme', seed: 11, specOverrides: { tls: { mode: 'self-signed' as const } } };

test('reset: refused during an install, abort changes nothing, --yes returns the nodes to fresh ones; plan and a new install follow', { timeout: 600_000 }, async () => {
  const fleet = await startFleet(fleetOptions);
  const site = fleet.spec.site;
  try {
    const install = await startInstall(env.client, fleet.spec);
    // Refused while the install runs: before any node is touched, with the reason.
    const refused = await failureOf(finish(await startInstall(env.client, fleet.spec, 'resetSite'), 60_000));
    assert.match(refused, new RegExp(`install/${site} is running: reset would take the site apart under it, so nothing was done`));
    assert.equal((await finish(install, 400_000)).state, 'completed');
    // What an install with `proxy` leaves for apt (branch field): reset removes a file carrying our marker.
    fleet.machines[1].put('/etc/apt/apt.conf.d/95kloudspot-proxy', '# BEGIN kloudspot-installer proxy\nAcquire::http::Proxy "http://proxy.example:3128";\n# END kloudspot-installer proxy\n');
    const installed = fleet.effects().length;
    const cli = (...args: string[]) => runCli([...args, '--address', env.h.server.address, '--codec-key-file', TEST_CODEC_KEY_FILE],
      { env: { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined }, timeoutMs: 300_000 });
    const specFile = join(mkdtempSync(join(tmpdir(), 'reset-')), 'site.yaml');
    writeFileSync(specFile, fleet.specYaml());
    // `plan` after the install: nothing would change, exit 0, and nothing changed by asking.
    const planned = await cli('plan', specFile);
    assert.deepEqual([planned.code, planned.stderr], [0, '']);
    assert.match(planned.stdout, /Nothing would change/);
    assert.equal(fleet.effects().length, installed, 'plan changed nothing');

    // An abort answer: the question lists what would go on which node, and nothing goes.
    const aborted = await startInstall(env.client, fleet.spec, 'resetSite');
    const q = await waitForQuestion(aborted, (x) => x.kind === 'confirmReset');
    for (const n of fleet.spec.nodes) {
      assert.match(q.lastError!, new RegExp(`^${n.name}:$`, 'm'));
    }
    assert.match(q.lastError!, /kloudspot stop \(release kloudspot deployed, revision 1\)/);
    assert.match(q.lastError!, /kubectl delete CStorPoolCluster cstor-storage and StorageClass cstor-csi/);
    assert.match(q.lastError!, /microk8s disable openebs/);
    assert.equal(q.lastError!.match(/microk8s leave/g)?.length, 3, 'three nodes leave; the first manager stays until its snap goes');
    assert.match(q.lastError!, /microk8s leave \(a worker of k8s-vm-1's cluster\)/);
    assert.equal(q.lastError!.match(/snap remove --purge microk8s/g)?.length, 4);
    assert.equal(q.lastError!.match(/lvremove ubuntu-vg\/shared \(20\.00g; its data is lost\)/g)?.length, 4);
    assert.equal(q.lastError!.match(/back to DHCP/g)?.length, 4);
    assert.equal(q.lastError!.match(/rm \/etc\/apt\/apt\.conf\.d\/95kloudspot-proxy/g)?.length, 1, 'the marked apt proxy file, on k8s-vm-2 only');
    // `status` shows the running reset and its question, with the command that answers it.
    const shown = await cli('status', site);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^resetme {2}phase reset-survey {2}waiting/);
    assert.match(shown.stdout, /answer: kloudspot-installer confirm-reset resetme {3}\(or: kloudspot-installer confirm-reset resetme --abort\)/);
    // An install refuses while the reset runs: the CLI at once, the workflow itself when started another way.
    const installCli = await cli('install', specFile);
    assert.equal(installCli.code, 1, installCli.stdout);
    assert.match(installCli.stderr, new RegExp(`reset/${site} is running: an install now would build up what the reset is taking apart, so nothing was done\\. ` +
      `Fix: wait for the reset to finish \\(\`kloudspot-installer watch ${site}\`\\), or end it .*confirm-reset ${site} --abort`));
    const direct = env.client.workflow.start('installCluster', { taskQueue: api.TASK_QUEUE, workflowId: api.installWorkflowId(site), args: [fleet.spec] });
    assert.match(await failureOf((await direct).result()), new RegExp(`^reset/${site} is running: an install now would build up what the reset is taking apart, so nothing was done\\. Fix: `));
    const abort = await cli('confirm-reset', site, '--abort');
    assert.equal(abort.code, 0, abort.stderr);
    assert.equal(abort.stdout, 'reset aborted\n');
    assert.match((await cli('confirm-reset', site)).stderr, /No running reset\/resetme|not running|no reset question/i, 'nothing left to answer');
    assert.match(await failureOf(finish(aborted)), /reset aborted at cluster:reset-confirm by a person's answer/);
    assert.equal(fleet.effects().length, installed, 'abort: nothing was changed on any node');

    // Confirmed with `reset --yes` from the CLI, k8s-vm-2 rebooted while its snap is being removed: everything goes, once each.
    const mark = fleet.audit().length;
    let rebooted = false;
    const bootsBefore = fleet.machines[1].bootCount;
    const rebooter = (async () => {
      const deadline = Date.now() + 240_000;
      while (!rebooted && Date.now() < deadline) {
        if (fleet.audit('k8s-vm-2').some((e) => e.seq > mark && e.command.includes('snap remove') && e.end === null)) {
          fleet.faults.reboot('k8s-vm-2');
          rebooted = true;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const run = await cli('reset', specFile, '--yes');
    await rebooter;
    assert.equal(run.code, 0, `reset --yes: ${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^Started reset\/resetme: reading every node/m);
    assert.match(run.stdout, /^k8s-vm-4:\n {2}- microk8s leave \(a worker of k8s-vm-1's cluster\)$/m);
    assert.match(run.stdout, /^--yes: reset confirmed$/m);
    assert.ok(rebooted, 'k8s-vm-2 was rebooted mid-reset');
    assert.ok(fleet.machines[1].bootCount > bootsBefore, 'the reboot happened');
    await unitSettled(fleet.machines, NETPLAN_RESET_UNIT);
    const resetEffects = fleet.effectKeys().filter((e) => e.seq > mark);
    const counts = new Map<string, number>();
    for (const e of resetEffects) counts.set(`${e.node} ${e.effect}`, (counts.get(`${e.node} ${e.effect}`) ?? 0) + 1);
    assert.deepEqual([...counts].filter(([, c]) => c > 1), [], 'no effect of the reset happened twice');
    assert.ok(resetEffects.some((e) => e.effect === 'helm uninstall default/kloudspot'));
    assert.deepEqual(resetEffects.filter((e) => e.effect.startsWith('microk8s leave')).map((e) => e.node), ['k8s-vm-4', 'k8s-vm-3', 'k8s-vm-2'],
      'the worker leaves first, then the managers in reverse join order');
    assert.equal(fleet.clusters.size, 0, 'no MicroK8s cluster is left');

    // Field by field against a new fleet's machines (same seed, same addresses).
    const fresh = await startFleet({ ...fleetOptions, site: 'fresh', firstAddress: fleet.machines[0].address });
    try {
      fleet.machines.forEach((m, i) => {
        assert.deepEqual(machineState(m), machineState(fresh.machines[i], m.hostname), `${m.name} is back to a fresh machine`);
      });
    } finally {
      await fresh.stop();
    }

    // plan shows the install again (the CLI lists every node's changes) ...
    const replanned = await cli('plan', specFile);
    assert.equal(replanned.code, 0, replanned.stderr);
    for (const n of fleet.spec.nodes) assert.match(replanned.stdout, new RegExp(`^${n.name}( \\(.*\\))?\\n(  .*\\n)*  ~ static-address +netplan: ${n.address.replace(/\./g, '\\.')}/24 static on ens18 \\(DHCP\\)`, 'm'));
    assert.doesNotMatch(replanned.stdout, /Nothing would change/);
    const plan = await env.client.workflow.execute('planSite', { taskQueue: api.TASK_QUEUE, workflowId: api.planWorkflowId(site), args: [fleet.spec] }) as SitePlan;
    for (const n of fleet.spec.nodes) {
      for (const step of ['hosts-file', 'static-address', 'kloudspot-tools', 'shared-volume', 'iscsid']) {
        assert.equal(plan.steps.find((s) => s.node === n.name && s.step === step)?.state, 'change', `${n.name} ${step} planned again`);
      }
    }
    assert.deepEqual(plan.steps.filter((s) => s.step === 'join').map((s) => s.state), ['unknown', 'unknown', 'unknown']);
    // ... and a new install completes.
    assert.equal((await finish(await startInstall(env.client, fleet.spec), 400_000)).state, 'completed');
  } finally {
    await fleet.stop();
  }
});
