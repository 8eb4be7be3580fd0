// replace-node's pure parts: the request judged before anything starts, and node output read strictly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeJson, removeNode } from '../../src/activities/commands/microk8s';
import { parsePoolCluster } from '../../src/activities/commands/openebs';
import { replaceProblem } from '../../src/workflows/replace-node-input';

const nodes = (...names: string[]) => ({ nodes: names.map((name) => ({ name, address: '10.0.0.1', interface: 'ens18' })) });

test('replaceProblem: the spec must name the new machine and no longer the dead one', () => {
  assert.equal(replaceProblem(nodes('a', 'e', 'c'), 'b', 'e'), undefined);
  assert.match(replaceProblem(nodes('a', 'b', 'c'), 'b', 'e') ?? '', /^b is still in nodes\[\]: put the new machine \(e\) in its place/);
  assert.match(replaceProblem(nodes('a', 'c'), 'b', 'e') ?? '', /^e is not in nodes\[\]: add it/);
  assert.match(replaceProblem(nodes('a', 'e'), 'e', 'e') ?? '', /both e/);
});

test('parseNodeJson: the InternalIP only when it is an IPv4 address; Ready only when True', () => {
  const node = (address: string, status: string) => JSON.stringify({ status: { addresses: [{ type: 'Hostname', address: 'x' }, { type: 'InternalIP', address }],
    conditions: [{ type: 'Ready', status }] } });
  assert.deepEqual(parseNodeJson(node('10.1.2.3', 'Unknown')), { address: '10.1.2.3', ready: false });
  assert.deepEqual(parseNodeJson(node('10.1.2.3', 'True')), { address: '10.1.2.3', ready: true });
  assert.deepEqual(parseNodeJson(node('10.1.2.3; rm -rf /', 'True')), { address: undefined, ready: true });
});

test('parsePoolCluster: pools as written; a hostile name from the node is refused', () => {
  const cspc = (host: string) => JSON.stringify({ spec: { pools: [{ nodeSelector: { 'kubernetes.io/hostname': host },
    dataRaidGroups: [{ blockDevices: [{ blockDeviceName: 'blockdevice-0123abcd' }] }], poolConfig: { dataRaidGroupType: 'stripe' } }] } });
  assert.deepEqual(parsePoolCluster(cspc('k8s-vm-2')), [{ node: 'k8s-vm-2', blockDevice: 'blockdevice-0123abcd' }]);
  assert.throws(() => parsePoolCluster(cspc('k8s-vm-2\n10.0.0.9 evil')), /unexpected pool in cspc cstor-storage/);
});

test('removeNode: --force, the name quoted, exit 1 accepted (already gone)', () => {
  const c = removeNode('k8s-vm-2');
  assert.match(c.command, /microk8s remove-node k8s-vm-2 --force$/);
  assert.match(removeNode('a; b').command, /microk8s remove-node 'a; b' --force$/);
  assert.deepEqual(c.okCodes, [0, 1]);
});
