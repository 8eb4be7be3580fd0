// The installer's command builders as the simulator and scenario tests use them: grouped by what a test
// drives (preparing a node, preflight facts, storage, the chart), not by program as src/activities/commands is.
import * as apt from '../../src/activities/commands/apt';
import * as basic from '../../src/activities/commands/basic';
import * as chartFiles from '../../src/activities/commands/chart';
import * as files from '../../src/activities/commands/files';
import * as helm from '../../src/activities/commands/helm';
import * as kubectl from '../../src/activities/commands/kubectl';
import * as lvm from '../../src/activities/commands/lvm';
import * as netplan from '../../src/activities/commands/netplan';
import * as openebs from '../../src/activities/commands/openebs';
import * as systemd from '../../src/activities/commands/systemd';
import * as tools from '../../src/activities/commands/tools';

export const prep = { ...apt, ...files, ...lvm, ...netplan, ...systemd, ...tools };
export const facts = { ...basic, ...lvm };
export const st = { ...openebs, ...kubectl, ...systemd, ...lvm };
export const chart = { ...chartFiles, ...helm, ...tools, ...kubectl };
export { kubectlWait } from '../../src/activities/commands/kubectl';
export type { RemoteCommand } from '../../src/activities/commands/sh';
