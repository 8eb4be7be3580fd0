// systemd-run's refusal of a taken unit name, as two systemd versions word it: both mean "already requested".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unitAlreadyExists } from '../../src/activities/commands/systemd';

test('unitAlreadyExists: systemd 249 (Ubuntu 22.04) and 252 (seen on a Debian 12 node) wordings; other failures are not it', () => {
  assert.ok(unitAlreadyExists('Failed to start transient timer unit: Unit kloudspot-reboot.timer already exists.\n'));
  assert.ok(unitAlreadyExists('Failed to start transient timer unit: Unit kloudspot-observe.timer was already loaded or has a fragment file.\n'));
  assert.ok(!unitAlreadyExists('Failed to start transient timer unit: Access denied\n'));
  assert.ok(!unitAlreadyExists(''));
});
