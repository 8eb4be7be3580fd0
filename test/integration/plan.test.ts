// plan: the install's own checks, read-only. On bare nodes it lists every node's changes and changes nothing;
// after an install it says nothing would change, which a second install confirms by changing nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet } from '../../src/sim';
import { startInstall } from '../../src/client/installs';
import { renderPlan } from '../../src/client/render-plan';
import * as api from '../../src/workflows/api';
import type { SitePlan } from '../../src/workflows/plan';
import '../../src/workflows';
import { declaredSteps } from '../../src/workflows/steps';
import { hookSteps } from '../../src/workflows/hooks';
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

test('plan on bare nodes covers every step an install may take, derived from the step declarations', { timeout: 120_000 }, async () => {
  const spec = {
    tls: { mode: 'upload' as const },
    hooks: { before: { 'prepare-nodes': ['/tmp/kloudspot-plan-before.sh'] }, after: { 'deploy-chart': ['/tmp/kloudspot-plan-after.sh'] } },
  };
  const fleet = await startFleet({ nodes: 3, site: 'planned-all', seed: 9, proxy: 'http://proxy.sim.example:3128', specOverrides: spec });
  try {
    const bare = await plan(fleet.spec);
    assert.deepEqual(fleet.effects(), [], 'plan changed nothing on any node');
    const listed = new Set(bare.steps.map((s) => s.step));
    // Every declared step is listed under its own id or the step it is part of, unless the install never runs it.
    const declared = declaredSteps();
    assert.ok(declared.length > 40, `the workflow modules declared their steps (${declared.length})`);
    const expected = declared.filter((d) => !(d.plan && 'notInInstall' in d.plan)).map((d) => (d.plan && 'partOf' in d.plan ? d.plan.partOf : d.id));
    assert.deepEqual([...new Set(expected)].filter((id) => !listed.has(id)), [], 'declared steps plan does not list');
    for (const d of declared) if (d.plan && 'partOf' in d.plan) assert.ok(declared.some((x) => x.id === (d.plan as { partOf: string }).partOf), `${d.id} is part of a declared step`);
    // The spec's hook steps, on every node, and the steps named in the issue among them.
    for (const h of hookSteps(fleet.spec)) {
      assert.deepEqual(bare.steps.filter((s) => s.step === h.def.id).map((s) => s.node).sort(), fleet.spec.nodes.map((n) => n.name).sort());
    }
    for (const id of ['openebs-upgrade', 'cstor-volume-probe', 'drain', 'uncordon', 'kubelet-name', 'proxy', 'refresh-hold', 'hook-files']) assert.ok(listed.has(id), id);
    // Nothing listed that was never declared: every step carries its declared title.
    const titles = new Map([...declared, ...hookSteps(fleet.spec).map((h) => h.def)].map((d) => [d.id, d.title]));
    assert.deepEqual(bare.steps.filter((s) => titles.get(s.step) !== s.title).map((s) => s.step), []);
  } finally {
    await fleet.stop();
  }
});
