// Hooks (issue 18 item 5): scripts on the worker run on every node before or after a phase. A hook that fails is a
// question like any step's (its stderr shown); retry after the fix passes; the before/after order is right; a
// missing hook file is one question naming the field before anything runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstall } from '../../src/client/installs';
import { startFleet } from '../../src/sim';
import * as api from '../../src/workflows/api';
import { finish, startInstallEnv, waitForQuestion, type InstallEnv } from '../helpers/install';

const dir = mkdtempSync(join(tmpdir(), 'ks-hooks-'));
const beforePrepare = join(dir, 'before-prepare.sh');
const afterForm = join(dir, 'after-form.sh');
// /var/tmp: the nodes reboot during prepare-nodes, which empties /tmp.
writeFileSync(beforePrepare, 'echo "before $KLOUDSPOT_PHASE on $KLOUDSPOT_NODE" | tee -a /var/tmp/hooks.log\n');
writeFileSync(afterForm, [
  'echo "after $KLOUDSPOT_PHASE on $KLOUDSPOT_NODE" | tee -a /var/tmp/hooks.log',
  'test -e /tmp/hook-ok || echo "hook: /tmp/hook-ok is missing on this node" >&2',
  'test -e /tmp/hook-ok',
  '',
].join('\n'));

let env: InstallEnv;
before(async () => { env = await startInstallEnv(); });
after(async () => { await env?.stop(); });

test('a failing hook is a question with its stderr; retry after the fix passes; hooks run before and after their phase', { timeout: 400_000 }, async () => {
  const fleet = await startFleet({
    nodes: 3, site: 'hooked', seed: 51,
    specOverrides: { tls: { mode: 'self-signed' }, hooks: { before: { 'prepare-nodes': [beforePrepare] }, after: { 'form-cluster': [afterForm] } } },
  });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.step === 'k8s-vm-2:hook-after-form-cluster-0', 200_000);
    assert.match(q.prompt, /hook hooks\.after\.form-cluster\[0\] \(.*after-form\.sh\) exited 1/);
    assert.match(q.lastError ?? '', /hook: \/tmp\/hook-ok is missing on this node/);
    assert.ok(!fleet.audit().some((e) => e.command.includes('hook-ok')), 'the script travels on stdin, not on a command line');

    // Every node failed the same way; the fix is on every node, then each step is retried.
    for (const m of fleet.machines) m.put('/tmp/hook-ok', '');
    for (const n of fleet.machines) {
      const step = `${n.name}:hook-after-form-cluster-0`;
      await waitForQuestion(handle, (x) => x.step === step);
      await handle.executeUpdate(api.resolveFailureUpdate, { args: [{ step, action: 'retry' }] });
    }
    const final = await finish(handle, 240_000);
    assert.equal(final.state, 'completed', final.lastError);

    for (const m of fleet.machines) {
      // Run once before, and twice after (the failed run and the retry), in that order.
      assert.equal(m.files.get('/var/tmp/hooks.log')?.content,
        `before prepare-nodes on ${m.name}\nafter form-cluster on ${m.name}\nafter form-cluster on ${m.name}\n`);
      const log = fleet.audit(m.name);
      const first = (re: RegExp) => log.findIndex((e) => re.test(e.command));
      const hooks = log.map((e, i) => (/KLOUDSPOT_HOOK=/.test(e.command) ? i : -1)).filter((i) => i >= 0);
      assert.equal(hooks.length, 3);
      assert.ok(hooks[0] < first(/apt-get .* update/), `${m.name}: the before hook ran before prepare-nodes' first step`);
      assert.ok(hooks[1] > first(/snap refresh --hold/), `${m.name}: the after hook ran after form-cluster's last node step`);
      assert.ok(hooks[2] < first(/systemctl enable --now iscsid/), `${m.name}: and before configure-storage`);
    }
  } finally {
    await fleet.stop();
  }
});

test('a hook file the worker cannot use is one question naming the field, before anything runs on a node', { timeout: 200_000 }, async () => {
  const fleet = await startFleet({
    nodes: 3, site: 'hook-missing', seed: 52,
    specOverrides: { tls: { mode: 'self-signed' }, hooks: { before: { preflight: [join(dir, 'missing.sh'), dir] } } },
  });
  try {
    const handle = await startInstall(env.client, fleet.spec);
    const q = await waitForQuestion(handle, (x) => x.step === 'cluster:hook-files');
    assert.match(q.prompt, /2 hook file problems: hooks\.before\.preflight\[0\]: .*missing\.sh does not exist on the worker\. Fix: /);
    assert.match(q.prompt, /hooks\.before\.preflight\[1\]: .* is not a regular file\. Fix: /);
    assert.deepEqual(fleet.audit(), [], 'nothing ran on a node');
    await handle.terminate('test over');
  } finally {
    await fleet.stop();
  }
});
