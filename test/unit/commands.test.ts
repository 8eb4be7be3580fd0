// Pure command builders and parsers: golden command strings (as rig pins them), hostile values proven
// inert through a real /bin/sh, and the renderers' idempotency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { raw, sh, shellQuote, shellJoin, UnquotableError } from '../../src/activities/commands/sh';
import * as m from '../../src/activities/commands/microk8s';
import * as yaml from 'js-yaml';
import { storageNeed } from '../../src/site/sizes';
import { prep, kubectlWait, facts as f, st as s, chart as c } from '../helpers/commands';

const HOSTILE = [
  "it's", '"double"', '$(touch /tmp/pwned)', '`id`', 'a;b', 'a && b', 'a|b', 'new\nline', 'tab\there', '\\back\\slash',
  '*', '~', '-rf', '', ' ', '$HOME', '${IFS}', "'; rm -rf / #", 'ünïcødé ✓', 'x'.repeat(10_000), '!event', '#comment',
];

test('shellQuote: every hostile value reaches the program unchanged through a real /bin/sh', () => {
  for (const v of HOSTILE) {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(v)}`], { encoding: 'utf8' });
    assert.equal(out, v, `value ${JSON.stringify(v.slice(0, 40))} changed`);
  }
  const joined = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${shellJoin(HOSTILE.slice(0, 10))}`], { encoding: 'utf8' });
  assert.equal(joined, HOSTILE.slice(0, 10).map((v) => v + '\n').join(''));
});

test('sh`...`: every interpolation is one word through a real /bin/sh; arrays are one word each; raw() is spliced', () => {
  const hostile = ['a b', "it's", '$(touch /tmp/pwned)', '`id`', 'x; rm -rf /', '"q"', '\\n', '*', ''];
  for (const v of hostile) {
    const out = execFileSync('/bin/sh', ['-c', sh`printf '[%s]' ${v} ${[v, 'z']}`], { encoding: 'utf8' });
    assert.equal(out, `[${v}][${v}][z]`);
  }
  assert.equal(sh`${raw('sudo -n env LC_ALL=C microk8s kubectl')} -n ${'openebs'} get ${'a b'}`, "sudo -n env LC_ALL=C microk8s kubectl -n openebs get 'a b'");
  assert.equal(sh`lvcreate -L ${20} -n ${'shared'}`, 'lvcreate -L 20 -n shared');
  assert.throws(() => sh`echo ${'a\0b'}`, UnquotableError);
});

test('shellQuote refuses NUL, which no shell word can carry', () => {
  assert.throws(() => shellQuote('a\0b'), UnquotableError);
});

test('shellQuote leaves plain words alone so commands stay readable', () => {
  assert.equal(shellQuote('ubuntu-vg'), 'ubuntu-vg');
  assert.equal(shellQuote('192.168.1.50/32'), '192.168.1.50/32');
  assert.equal(shellQuote('a b'), "'a b'");
});

test('golden commands: the exact text each builder produces', () => {
  assert.equal(prep.createLogicalVolume('ubuntu-vg', 'shared', '20G').command, 'sudo -n env LC_ALL=C lvcreate -y -L 20G -n shared ubuntu-vg');
  assert.equal(prep.setHostname('k8s-vm-1').command, 'sudo -n env LC_ALL=C hostnamectl set-hostname k8s-vm-1');
  assert.equal(prep.aptDistUpgrade().command,
    'sudo -n env LC_ALL=C DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a apt-get -o DPkg::Lock::Timeout=900 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -y -q dist-upgrade');
  assert.equal(prep.dpkgConfigurePending().command, 'sudo -n env LC_ALL=C DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a');
  assert.equal(prep.scheduleReboot().command, 'sudo -n env LC_ALL=C systemd-run --on-active=2 --unit=kloudspot-reboot /bin/systemctl reboot');
  assert.equal(prep.installTools('https://registry.kloudspot.com/repository/files/on-prem-cluster.sh').command,
    'curl -fsSL https://registry.kloudspot.com/repository/files/on-prem-cluster.sh | sudo bash');
  assert.equal(prep.downloadTools('https://registry.kloudspot.com/repository/files/on-prem-cluster.sh').command,
    'curl -fsSL --proto =https --tlsv1.2 https://registry.kloudspot.com/repository/files/on-prem-cluster.sh | sudo -n env LC_ALL=C tee /root/kloudspot-tools.sh >/dev/null');
  assert.equal(prep.parseSha256sum(`${'ab'.repeat(32)}  /root/kloudspot-tools.sh\n`), 'ab'.repeat(32));
  assert.equal(prep.parseSha256sum('sha256sum: x: No such file or directory\n'), undefined);
  assert.equal(prep.writeFile('/etc/hosts', 'x', '0644').command, 'sudo -n env LC_ALL=C install -D -m 0644 /dev/null /etc/.hosts.kloudspot-new && sudo -n env LC_ALL=C tee /etc/.hosts.kloudspot-new >/dev/null && sudo -n env LC_ALL=C mv -f /etc/.hosts.kloudspot-new /etc/hosts');
  // Join tokens: single-use lines written from stdin, the URL handed to join on stdin: no token in any command line.
  const tok = '0123456789abcdef0123456789abcdef';
  const issued = m.issueJoinToken(tok);
  assert.equal(issued.command, `sudo -n env LC_ALL=C test -e ${m.CLUSTER_TOKENS_FILE} || sudo -n env LC_ALL=C install -m 0660 /dev/null ${m.CLUSTER_TOKENS_FILE} && sudo -n env LC_ALL=C tee -a ${m.CLUSTER_TOKENS_FILE} > /dev/null`);
  assert.deepEqual([issued.stdin, issued.redact], [`${tok}\n`, [tok]]);
  const joinCmd = m.join(`10.0.0.11:25000/${tok}/abcdef012345`, true, [tok]);
  assert.equal(joinCmd.command, "sudo -n env LC_ALL=C xargs -r -d '\\n' microk8s join --worker");
  assert.equal(joinCmd.stdin, `10.0.0.11:25000/${tok}/abcdef012345\n`);
  for (const c of [issued, joinCmd, m.joinTokenCount(tok), m.revokeJoinToken(tok)]) assert.ok(!c.command.includes(tok), `${c.command} holds the token`);
  assert.equal(m.joinTokenCount(tok).readOnly, true);
  // Every sudo in the token commands is non-interactive (-n): a bare sudo would ask for a password and read the token as one.
  for (const c of [issued, m.joinTokenCount(tok), m.revokeJoinToken(tok)]) assert.doesNotMatch(c.command, /sudo (?!-n env LC_ALL=C )/, c.command);
  assert.equal(m.joinUrl('10.0.0.11', tok, 'abcdef012345'), `10.0.0.11:25000/${tok}/abcdef012345`);
  assert.equal(m.parseServerCertCheck(`${'ab'.repeat(32)}  -\n`), 'abababababab');
  assert.throws(() => m.parseServerCertCheck('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -\n'), /openssl could not read \/var\/snap/);
  assert.equal(m.enableAddon('metallb:192.168.1.50/32').command, 'sudo -n env LC_ALL=C microk8s enable metallb:192.168.1.50/32');
  assert.equal(s.listPoolInstances().command, 'sudo -n env LC_ALL=C microk8s kubectl -n openebs get cspi -l openebs.io/cstor-pool-cluster=cstor-storage -o json');
  assert.equal(c.applyTlsSecret().command,
    'sudo -n env LC_ALL=C microk8s kubectl -n default create secret tls kloudspot-tls --cert=/etc/kloudspot/tls.crt --key=/etc/kloudspot/tls.key --dry-run=client -o yaml | sudo -n env LC_ALL=C microk8s kubectl apply -f -');
  assert.equal(f.ping('192.168.1.50').command, 'ping -c 1 -W 2 192.168.1.50');
  // The installer's Secret: the pair on stdin, never in the command text (nor in a file on the node).
  const secret = c.applyTlsSecretManifest('CERT', 'KEY');
  // Server-side: a client-side apply would copy the key into the last-applied-configuration annotation.
  assert.equal(secret.command, 'sudo -n env LC_ALL=C microk8s kubectl apply --server-side --field-manager=kloudspot-installer -f -');
  assert.deepEqual(JSON.parse(secret.stdin!), { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
    metadata: { name: 'kloudspot-tls', namespace: 'default' }, data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ' } });
  assert.deepEqual(secret.redact, ['KEY', 'S0VZ']);
  assert.equal(kubectlWait(c.podsReady, 600).command,
    "sudo -n env LC_ALL=C microk8s kubectl -n default wait --for=condition=Ready pod --all '--field-selector=status.phase!=Succeeded,status.phase!=Failed' --timeout=600s");
  assert.equal(kubectlWait(s.poolInstancesOnline, 60).command,
    "sudo -n env LC_ALL=C microk8s kubectl -n openebs wait '--for=jsonpath={.status.phase}=ONLINE' cspi -l openebs.io/cstor-pool-cluster=cstor-storage --timeout=60s");
  assert.equal(kubectlWait({ resource: 'node/k8s-vm-2', for: 'condition=Ready' }, 0.2).command,
    'sudo -n env LC_ALL=C microk8s kubectl wait --for=condition=Ready node/k8s-vm-2 --timeout=1s');
});

test('hostile values stay data in every builder that takes one', () => {
  const v = "x'; touch /tmp/pwned; echo '";
  for (const built of [prep.setHostname(v), prep.createLogicalVolume(v, v, v), prep.readFile(v), prep.removeFile(v),
    m.enableAddon(v), m.addonStatus(v), f.ping(v), f.showInterfaceAddresses(v), prep.installTools(v), prep.downloadTools(v)]) {
    // Replace the program with printf: the words must come out whole, none interpreted.
    const words = execFileSync('/bin/sh', ['-c', `set -- ${built.command.split(' | ')[0].replace(/&&.*/, '')}; printf '%s\\n' "$@"`], { encoding: 'utf8' });
    assert.ok(words.split('\n').includes(v), `${built.command} split the value`);
  }
});

test('renderHostsFile follows the seed and is idempotent', () => {
  const ubuntu = '127.0.0.1 localhost\n127.0.1.1 ubuntu-server\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\n';
  const nodes = [{ name: 'k8s-vm-1', address: '192.168.1.106' }, { name: 'k8s-vm-2', address: '192.168.1.174' }];
  const once = prep.renderHostsFile(ubuntu, 'k8s-vm-1', nodes);
  assert.match(once, /^127\.0\.0\.1 localhost\n127\.0\.1\.1 k8s-vm-1\n/);
  assert.match(once, /::1     ip6-localhost ip6-loopback/);
  assert.match(once, /192\.168\.1\.106 k8s-vm-1\n192\.168\.1\.174 k8s-vm-2\n# END/);
  assert.equal(prep.renderHostsFile(once, 'k8s-vm-1', nodes), once, 'a second render changes nothing');
  const moved = prep.renderHostsFile(once, 'k8s-vm-1', [nodes[0], { name: 'k8s-vm-2', address: '192.168.1.175' }]);
  assert.doesNotMatch(moved, /192\.168\.1\.174/);
});

test('renderNetplan matches the seed\'s static address example', () => {
  const y = yaml.load(prep.renderNetplan('ens18', '192.168.1.106', 24, '192.168.1.254', ['192.168.1.254', '8.8.8.8'])) as any;
  assert.deepEqual(y.network.ethernets.ens18, {
    dhcp4: false, addresses: ['192.168.1.106/24'], routes: [{ to: 'default', via: '192.168.1.254' }],
    nameservers: { addresses: ['192.168.1.254', '8.8.8.8'] },
  });
});

test('parsers read the real formats', () => {
  assert.deepEqual(prep.parseAptSummary('Reading package lists...\n12 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\n'), { upgraded: 12, newlyInstalled: 1 });
  const st = m.parseStatus('microk8s is running\nhigh-availability: yes\n  datastore master nodes: 10.0.0.11:19001 10.0.0.12:19001 10.0.0.13:19001\n  datastore standby nodes: none\naddons:\n  enabled:\n    dns                  # (core) CoreDNS\n    ha-cluster           # (core) Configure high availability on the current node\n  disabled:\n    ingress              # (core) Ingress controller for external access\n');
  assert.equal(st.highAvailability, true);
  assert.deepEqual(st.datastoreMasters, ['10.0.0.11:19001', '10.0.0.12:19001', '10.0.0.13:19001']);
  assert.deepEqual(st.enabledAddons, ['dns', 'ha-cluster']);
  assert.deepEqual(st.disabledAddons, ['ingress']);
  assert.equal(m.parseServerCertCheck(`${'0a'.repeat(32)}  -\n`), '0a0a0a0a0a0a');
  assert.throws(() => m.parseServerCertCheck('Could not open file or uri for loading certificate\n'), /unexpected/);
  assert.deepEqual([m.parseTokenCount({ code: 0, stdout: '1\n' }), m.parseTokenCount({ code: 1, stdout: '0\n' }), m.parseTokenCount({ code: 2, stdout: '' })], [1, 0, 0]);
  assert.deepEqual(f.parseVolumeGroups('  ubuntu-vg 998579896320 890124681216\n'), [{ name: 'ubuntu-vg', sizeBytes: 998579896320, freeBytes: 890124681216 }]);
  assert.equal(f.parseMemTotal('MemTotal:       32803384 kB\n'), 32803384 * 1024);
  assert.deepEqual(f.parseInterfaceAddresses('2: ens18    inet 192.168.1.106/24 brd 192.168.1.255 scope global ens18\\       valid_lft forever'), ['192.168.1.106/24']);
  assert.deepEqual(f.parseStaticAddresses('2: ens18    inet 192.168.1.106/24 metric 100 brd 192.168.1.255 scope global dynamic ens18\\       valid_lft 85972sec preferred_lft 85972sec\n' +
    '2: ens18    inet 192.168.1.107/24 brd 192.168.1.255 scope global ens18\\       valid_lft forever preferred_lft forever'), ['192.168.1.107/24']);
});

test('the NDM filter edit swaps the /dev/dm- exclude for an include of the shared LV (and whole disks), once', () => {
  const config = { filterconfigs: [{ key: 'path-filter', name: 'path filter', state: 'true', include: '', exclude: '/dev/loop,/dev/fd0,/dev/sr0,/dev/ram,/dev/md,/dev/dm-,/dev/rbd,/dev/zd' }] };
  const cm = JSON.stringify({ data: { 'node-disk-manager.config': yaml.dump(config) } });
  const edit = (json: string, path: string, ann?: Record<string, string>) =>
    s.ndmConfigForSharedVolume(json, path, (t) => yaml.load(t), (v) => yaml.dump(v), ann);
  const shared = s.mapperPath('ubuntu-vg', 'shared');
  assert.equal(shared, '/dev/mapper/ubuntu--vg-shared');
  const out = edit(cm, shared);
  assert.ok(out);
  const pf = (yaml.load(JSON.parse(out!).data['node-disk-manager.config']) as typeof config).filterconfigs[0];
  assert.equal(pf.exclude, '/dev/loop,/dev/fd0,/dev/sr0,/dev/ram,/dev/md,/dev/rbd,/dev/zd');
  assert.equal(pf.include, '/dev/sd,/dev/vd,/dev/xvd,/dev/nvme,/dev/mapper/ubuntu--vg-shared');
  assert.equal(edit(out!, shared), null);
  // A config left by an earlier installer (exclude dropped, include empty) is narrowed to the shared LV.
  const loose = { filterconfigs: [{ ...config.filterconfigs[0], exclude: '/dev/loop,/dev/md' }] };
  const narrowed = edit(JSON.stringify({ data: { 'node-disk-manager.config': yaml.dump(loose) } }), shared)!;
  assert.equal((yaml.load(JSON.parse(narrowed).data['node-disk-manager.config']) as typeof config).filterconfigs[0].include, pf.include);
  // The change remembers the restart stamp NDM had then, so a crash before the restart is caught on retry.
  const marked = edit(cm, shared, { [s.NDM_RESTART_MARK]: 'none' })!;
  assert.equal(s.ndmRestartMark(marked), 'none');
  assert.equal(s.ndmRestartMark(cm), undefined);
  assert.equal(s.ndmRestartStamp(JSON.stringify({ spec: { template: { metadata: { annotations: {} } } } })), 'none');
  assert.equal(s.ndmRestartStamp(JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } } } } })), '2026-01-02T03:04:05Z');
});

test('the storage estimate matches the seed\'s two examples (KloudInsights 10/10/10/2/2 -> 20/14; Kloudhybrid 10/10 -> 0/20)', () => {
  const volumes = { elasticsearch: 10, streamState: 10, insightsDatabase: 10, kafka: 2, zookeeper: 2 };
  assert.deepEqual(storageNeed(volumes, { kloudInsights: true }), { sharedGb: 20, unsharedGb: 14 });
  // The seed's Kloudhybrid example (KloudInsights off): elasticsearch 10 and the database 10 -> "Required: Shared 0 GB, Unshared 20 GB".
  assert.deepEqual(storageNeed(volumes, { kloudInsights: false }), { sharedGb: 0, unsharedGb: 20 });
});
