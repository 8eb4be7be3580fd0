// reset's netplan half, pure: the script that puts the kept originals back, and the DHCP stanza rebuilt when an
// older install kept none (without it, removing our file would leave the interface with no configuration at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as yaml from 'js-yaml';
import {
  asksDhcp, configuredElsewhere, dhcpRebuild, NETPLAN_FILE, netplanResetDetached, plannedWrites, renderNetplan, renderResetScript,
} from '../../src/activities/commands/netplan';
import { installerNetplan } from '../../src/sim/node-defaults';

const original = { name: '00-installer-config.yaml', content: installerNetplan('ens18') };
const ours = { name: '60-kloudspot-static.yaml', content: renderNetplan('ens18', '10.0.0.12', 24, '10.0.0.1', ['10.0.0.1']) };

test('the reset script puts the originals back, removes our file, applies, and forgets the copies only after the apply worked', () => {
  assert.equal(renderResetScript(['00-installer-config.yaml']), [
    'install -m 0600 /var/lib/kloudspot/netplan-original/00-installer-config.yaml /etc/netplan/00-installer-config.yaml',
    `rm -f ${NETPLAN_FILE}`,
    'netplan apply && rm -f /var/lib/kloudspot/netplan-original/00-installer-config.yaml /var/lib/kloudspot/netplan-reset.sh',
    '',
  ].join('\n'));
  assert.equal(renderResetScript([]).split('\n')[0], `rm -f ${NETPLAN_FILE}`);
});

test('the detached apply is a transient timer that unloads once it ran (runLater: RemainAfterElapse=no)', () => {
  assert.match(netplanResetDetached().command, /systemd-run --on-active=2 --unit=kloudspot-netplan-reset --timer-property=RemainAfterElapse=no \/bin\/bash \/var\/lib\/kloudspot\/netplan-reset\.sh$/);
});

test('after an install that moved the stanza and kept no copy, the stanza is rebuilt as DHCP in the file we edited', () => {
  const edited = plannedWrites([original, ours], ours.content, 'ens18').find((w) => w.name === original.name)!;
  assert.equal(configuredElsewhere([edited, ours], 'ens18'), false, 'only our file configures ens18');
  const rebuilt = dhcpRebuild([edited], 'ens18')!;
  assert.equal(rebuilt.name, '00-installer-config.yaml');
  assert.match(rebuilt.content, /^# Rebuilt by kloudspot-installer reset: ens18 on DHCP \(no copy from before the install was kept\)\.\n/);
  assert.deepEqual((yaml.load(rebuilt.content) as { network: unknown }).network, { version: 2, ethernets: { ens18: { dhcp4: true } } });
  assert.ok(asksDhcp([rebuilt], 'ens18'));
});

test('no rebuild when another file still configures the interface; a missing installer file is created', () => {
  assert.equal(dhcpRebuild([original], 'ens18'), undefined);
  assert.ok(configuredElsewhere([original, ours], 'ens18'));
  const created = dhcpRebuild([{ name: '50-cloud-init.yaml', content: 'network:\n  version: 2\n  ethernets:\n    ens19:\n      dhcp4: true\n' }], 'ens18')!;
  assert.equal(created.name, '00-installer-config.yaml');
  assert.deepEqual((yaml.load(created.content) as { network: unknown }).network, { version: 2, ethernets: { ens18: { dhcp4: true } } });
  assert.equal(asksDhcp([{ name: 'x.yaml', content: installerNetplan('ens18', { cidr: '10.0.0.12/24', gateway: '10.0.0.1' }) }], 'ens18'), false);
});
