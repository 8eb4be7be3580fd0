// plan: the install's own checks, read-only. On bare nodes it lists every node's changes and changes nothing;
// after an install it says nothing would change, which a second install confirms by changing nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { renderPlan } from '../../src/client/render-plan';
import * as api from '../../src/workflows/api';
import type { SitePlan } from '../../src/workflows/plan';
import { startInstallEnv, type InstallEnv } from '../helpers/install';

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

const selfSigned = { tls: { mode: 'self-signed' as const } };

async function plan(spec: { site: string }): Promise<SitePlan> {
  return await env.client.workflow.execute('planSite', {
    taskQueue: api.TASK_QUEUE, workflowId: api.planWorkflowId(spec.site), args: [spec],
  }) as SitePlan;
}

test('plan on bare nodes lists every node\'s changes and leaves no side effect; after an install, nothing would change', { timeout: 300_000 }, async () => {
  const fleet = await startFleet({ nodes: 3, site: 'planned', seed: 5, specOverrides: selfSigned });
  try {
    const bare = await plan(fleet.spec);
    assert.deepEqual(fleet.effects(), [], 'plan changed nothing on any node');
    for (const n of fleet.spec.nodes) {
      const mine = bare.steps.filter((s) => s.node === n.name && s.step !== 'join');
      const change = (step: string) => mine.find((s) => s.step === step);
      assert.equal(change('hostname')?.state, 'change');
      assert.match(change('hostname')!.detail, new RegExp(`^hostname \\S+ -> ${n.name}$`));
      assert.match(change('hosts-file')!.detail, /^\/etc\/hosts: add 3 entries/);
      assert.match(change('static-address')!.detail, new RegExp(`^netplan: ${n.address.replace(/\./g, '\\.')}/\\d+ static on ${n.interface} \\(DHCP\\); its stanza moved out of 00-installer-config\\.yaml$`));
      assert.match(change('shared-volume')!.detail, /^lvcreate shared 20G on ubuntu-vg \(\d+ GB free\)$/);
      assert.equal(change('kloudspot-tools')?.state, 'change');
      assert.match(change('apt-upgrade')!.detail, /^apt dist-upgrade: \d+ packages?$/);
    }
    // Before the tools install MicroK8s nothing of the cluster can be judged, and plan says so.
    const joins = bare.steps.filter((s) => s.step === 'join');
    assert.deepEqual(joins.map((j) => [j.node, j.state]), fleet.spec.nodes.slice(1).map((n) => [n.name, 'unknown']));
    assert.ok(bare.steps.some((s) => s.step === 'cstor-pool' && s.state === 'unknown'));
    assert.ok(bare.changes > 0 && bare.unknown > 0);
    assert.match(renderPlan(bare), /~ hostname +hostname \S+ -> /);

    const install = await startInstall(env.client, fleet.spec);
    const final = await install.result() as api.InstallStatus;
    assert.equal(final.state, 'completed');
    const effectsAfterInstall = fleet.effects().length;

    const after = await plan(fleet.spec);
    assert.deepEqual(after.steps.filter((s) => s.state !== 'done'), [], 'every step already done');
    assert.equal(after.changes, 0);
    assert.equal(after.unknown, 0);
    assert.match(renderPlan(after), /Nothing would change/);
    assert.equal(fleet.effects().length, effectsAfterInstall, 'plan after the install changed nothing either');

    // ... and a second install agrees: it changes nothing.
    const again = await startInstall(env.client, fleet.spec);
    assert.equal((await again.result() as api.InstallStatus).state, 'completed');
    assert.equal(fleet.effects().length, effectsAfterInstall, 'the second install changed nothing, as plan said');
  } finally {
    await fleet.stop();
  }
});
