// The simulator's sudo answers a password on stdin in the words a real node's sudo uses (observed on the
// real-node testbed, Debian 12's sudo 1.9.13; the same table is checked there in test/e2e/real-nodes.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim';
import { connect } from '../helpers/sim';
import { SUDO_PASSWORD_CASES, SUDO_PROBE } from '../helpers/sudo-words';

const PASSWORD = 'sim-sudo-pw';
let fleet: Fleet;
before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ks-sudo-words-')), 'pw');
  writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
  fleet = await startFleet({ nodes: 3, seed: 43, latency: 'fast', sudoPasswordFile: file });
});
after(async () => { await fleet?.stop(); });

test('sudo -S: right, wrong, three wrong and no password, in real sudo\'s words; -n refuses', async () => {
  const c = await connect(fleet, 'k8s-vm-1');
  try {
    for (const k of SUDO_PASSWORD_CASES(PASSWORD)) {
      const r = await c.run(SUDO_PROBE, k.stdin);
      assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: k.code, stderr: k.stderr }, k.what);
    }
    const n = await c.run('sudo -n true');
    assert.deepEqual({ code: n.code, stderr: n.stderr }, { code: 1, stderr: 'sudo: a password is required\n' });
  } finally {
    c.close();
  }
});
