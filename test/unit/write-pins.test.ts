// Issue 17, finding 3: `status <site> --write-spec` writes the pins of first contact back into the spec file,
// keeping its comments and layout (js-yaml cannot round-trip comments, so the spec is edited as text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { parsePinnedSummary, writeHostKeysIntoSpec } from '../../src/site/write-pins';

const K1 = `SHA256:${'a'.repeat(42)}1`;
const K2 = `SHA256:${'B'.repeat(42)}2`;
const K3 = `SHA256:${'c/'.repeat(21)}3`;
const SPEC = `# acme's site
site: acme-hq   # the slug
nodes:
  - { name: k8s-vm-1, address: 10.0.0.11, interface: ens18 }   # first manager
  - name: k8s-vm-2
    address: 10.0.0.12 # second
    interface: ens18
  - { name: k8s-vm-3, address: 10.0.0.13, hostKey: "${K3}" }
`;

test('pins from the status summary go into flow and block node entries; comments and other keys stay', () => {
  const pins = parsePinnedSummary(`k8s-vm-1 ${K1}, k8s-vm-2 ${K2}, k8s-vm-3 ${K1} (check them against \`ssh-keygen -lf ...\` on each node)`);
  assert.deepEqual(pins, { 'k8s-vm-1': K1, 'k8s-vm-2': K2, 'k8s-vm-3': K1 });
  const { text, written } = writeHostKeysIntoSpec(SPEC, pins);
  assert.deepEqual(written, ['k8s-vm-1', 'k8s-vm-2'], 'a key already in the spec is left alone');
  for (const comment of ["# acme's site", '# the slug', '# first manager', '# second']) assert.ok(text.includes(comment), `${comment} kept`);
  const nodes = (yaml.load(text) as { nodes: { name: string; hostKey?: string; address: string }[] }).nodes;
  assert.deepEqual(nodes.map((n) => [n.name, n.hostKey, n.address]), [['k8s-vm-1', K1, '10.0.0.11'], ['k8s-vm-2', K2, '10.0.0.12'], ['k8s-vm-3', K3, '10.0.0.13']]);
  assert.equal(writeHostKeysIntoSpec(text, pins).written.length, 0, 'idempotent');
  assert.throws(() => writeHostKeysIntoSpec(SPEC, { 'k8s-vm-9': K1 }), /no node k8s-vm-9/);
  assert.throws(() => writeHostKeysIntoSpec(SPEC, { 'k8s-vm-1': 'SHA256:short' }), /not a host key fingerprint/);
});
