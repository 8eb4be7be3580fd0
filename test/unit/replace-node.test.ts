// replace-node's pure parts: the request judged before anything starts, and node output read strictly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeJson, removeNode } from '../../src/activities/commands/microk8s';
import { parsePoolCluster } from '../../src/activities/commands/openebs';
import { replaceProblem } from '../../src/workflows/replace-node-input';
import { parseVolumeConfigs, setReplicaPools } from '../../src/activities/commands/cstor-replicas';
import { deniedPoolChange } from '../../src/sim/cvc-sim';

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

test('volume replica moves: the CVC read strictly, the patch quoted, and the webhook refuses a pool renamed in one edit', () => {
  const cvc = (name: string, desired: string[], current: string[]) => ({
    apiVersion: 'cstor.openebs.io/v1', kind: 'CStorVolumeConfig', metadata: { name },
    spec: { provision: { replicaCount: 3 }, policy: { replicaPoolInfo: desired.map((poolName) => ({ poolName })) } },
    status: { phase: 'Bound', poolInfo: current },
  });
  assert.deepEqual(parseVolumeConfigs(JSON.stringify({ items: [cvc('pvc-1', ['p-a', 'p-b'], ['p-a', 'p-b', 'p-c'])] })),
    [{ name: 'pvc-1', phase: 'Bound', replicaCount: 3, desired: ['p-a', 'p-b'], current: ['p-a', 'p-b', 'p-c'] }]);
  assert.throws(() => parseVolumeConfigs(JSON.stringify({ items: [cvc('pvc-1', ['p-a; rm -rf /'], [])] })), /unexpected pool name/);
  assert.equal(setReplicaPools('pvc-1', ['p-a', 'p-b']).command,
    'sudo -n env LC_ALL=C microk8s kubectl -n openebs patch cstorvolumeconfig pvc-1 --type=merge \'--patch={"spec":{"policy":{"replicaPoolInfo":[{"poolName":"p-a"},{"poolName":"p-b"}]}}}\'');
  const three = cvc('pvc-1', ['p-a', 'p-b', 'p-c'], ['p-a', 'p-b', 'p-c']);
  assert.equal(deniedPoolChange(three, ['p-a', 'p-b', 'p-d']), 'volume replica migration directly by modifying pool names [p-c] is not yet supported');
  assert.equal(deniedPoolChange(three, ['p-a']), 'Can\'t perform more than one replica scale down requested scale down count 2');
  assert.equal(deniedPoolChange(three, ['p-a', 'p-b']), undefined);
  // Checked in the webhook's order: the pool list against status first, then a change already under way.
  assert.equal(deniedPoolChange(cvc('pvc-1', ['p-a', 'p-b'], ['p-a', 'p-b', 'p-c']), ['p-a', 'p-b', 'p-d']), 'volume replica migration directly by modifying pool names [p-c] is not yet supported');
  assert.equal(deniedPoolChange(cvc('pvc-1', ['p-a', 'p-b', 'p-d'], ['p-a', 'p-b']), ['p-a', 'p-b', 'p-d', 'p-e']), 'scaling of CVC pvc-1 is already in progress');
  assert.equal(deniedPoolChange(cvc('pvc-1', ['p-a', 'p-b'], ['p-a', 'p-b']), ['p-a', 'p-b', 'p-d']), undefined);
});
