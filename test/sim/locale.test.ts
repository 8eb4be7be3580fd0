// Output parsed in the C locale (issue 16, item 7): sshd gives a session the node's /etc/default/locale, and
// apt answers in that language. On a German node the summary line reads `0 aktualisiert, ...`: every parsed
// command runs under `env LC_ALL=C`, so the installer reads the English form it knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simFleet } from '../helpers/sim';
import type { SshTarget } from '../../src/activities/ssh';
import { createNodeChecks } from '../../src/activities/checks/node';
import { run } from '../../src/activities/run';
import { query } from '../../src/activities/commands/sh';

const sim = simFleet({ nodes: [{ locale: 'de_DE.UTF-8', pendingUpgrades: 12 }, {}, {}], seed: 5, latency: 'fast' });

test('a German node: apt speaks German to a plain session, and the installer still reads its summary', { timeout: 60_000 }, async () => {
  const n = sim.fleet.node('k8s-vm-1');
  const t: SshTarget = { node: n.name, host: n.address, port: n.port, username: sim.fleet.spec.ssh.user, privateKeyFile: sim.fleet.keyFile };
  const plain = await run({ pool: sim.pool }, t, query('apt-get -s -o Debug::NoLocking=1 dist-upgrade'));
  assert.match(plain.stdout, /^Paketlisten werden gelesen\.\.\.$/m);
  assert.match(plain.stdout, /^\d+ aktualisiert, \d+ neu installiert, 0 zu entfernen und \d+ nicht aktualisiert\.$/m);
  const check = await createNodeChecks({ pool: sim.pool }).packages(t);
  assert.equal(check.done, false);
  assert.match(check.detail, /^apt dist-upgrade: \d+ packages$/);
});
