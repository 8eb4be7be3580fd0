// `kloudspot init` as the seed's transcript shows it (multi-node-cluster.txt, "Prepare Kloudspot Configuration"):
// OpenEBS, one "which blockdevice" question per pool node, the CSPI wait, the SSL question, the survey prompts
// (github.com/AlecAivazis/survey: `? Message `, a Confirm `? Message (y/N) `), then `'/etc/kloudspot/values.yaml'
// created sucessfully.` The tool is proprietary: the prompt texts and order are the seed's; the refusals, the
// values file's keys and which volumes each feature asks for are invented (docs/commands.md).
import type { Proc } from '../process';
import { refreshCluster } from '../cluster-refresh';
import { addonEnabled } from './microk8s-state';

export const VALUES_FILE = '/etc/kloudspot/values.yaml';

type Volume = 'elasticsearch' | 'streamState' | 'insightsDatabase' | 'kafka' | 'zookeeper';
const VOLUMES: [Volume, string][] = [
  ['elasticsearch', 'Stream processing elasticsearch (GB)'], ['streamState', 'Stream processing state storage (GB)'],
  ['insightsDatabase', 'Kloudinsights database (GB)'], ['kafka', 'Kafka distributed messaging (GB)'], ['zookeeper', 'Zookeeper coordinator (GB)'],
];
/** The seed: KloudInsights asks all five (`kloudspot storage estimate`); Kloudhybrid alone elasticsearch and the database. */
const asked = (f: { kloudManage: boolean; kloudInsights: boolean; kloudHybrid: boolean }, v: Volume): boolean =>
  v === 'elasticsearch' || (v === 'insightsDatabase' ? f.kloudInsights || f.kloudHybrid : f.kloudInsights);

class Unanswered extends Error {}

export async function kloudspotInit(p: Proc): Promise<number> {
  // survey puts the terminal in raw mode first: without one the ioctl fails.
  if (!p.session.tty) { p.err('Error: inappropriate ioctl for device\n'); return 1; }
  const c = p.node.microk8s.cluster!;
  const ask = async (prompt: string): Promise<string> => {
    p.out(prompt);
    const line = await p.stdin.readLine();
    if (line === null) throw new Unanswered();
    return line.trim();
  };
  try {
    if (!addonEnabled(p.node, 'openebs')) { p.out('installing OpenEBS...\n'); p.err('Error: enable the openebs add-on first (not simulated)\n'); return 1; }
    p.out('All Pods are UP now...\n# If you have multiple bd  on a node , select appropriate bd from list:\n\n');
    refreshCluster(c);
    const cspc = c.store.list('CStorPoolCluster', 'openebs')[0];
    type Pool = { nodeSelector?: Record<string, string>; dataRaidGroups?: { blockDevices?: { blockDeviceName?: string }[] }[] };
    const pools = ((cspc?.spec as { pools?: Pool[] } | undefined)?.pools ?? []);
    if (pools.length === 0) { p.err('Error: no cStor pool cluster: create the pool first (not simulated)\n'); return 1; }
    for (const pool of pools) {
      const host = pool.nodeSelector?.['kubernetes.io/hostname'] ?? '';
      const bd = await ask(`which blockdevice do you want to use for node ${host} ? `);
      const owned = c.store.get('BlockDevice', 'openebs', bd)?.metadata.labels?.['kubernetes.io/hostname'];
      if (owned !== host || pool.dataRaidGroups?.[0]?.blockDevices?.[0]?.blockDeviceName !== bd) {
        p.err(`Error: blockdevice ${JSON.stringify(bd)} is not the pool's device on node ${host}\n`);
        return 1;
      }
      p.out('\n');
    }
    p.out('Waiting for all CSPI UP...\n');
    await p.work('command');
    p.out('CSPI up now!\n\nInitialize Kloudspot System Configuration\n\nBy default, the ingress controller will\nuse a self signed certificate. It is much better to\nuse a \u2018proper\u2019 SSL certificate.\n\n');
    const ssl = await ask('Do you want to add ssl certificate? y/n ');
    let tlsFiles: { key: string; cert: string } | undefined;
    if (/^y(es)?$/i.test(ssl)) tlsFiles = { key: await ask('? Enter ssl key filepath: '), cert: await ask('? Enter ssl ssl cert filepath: ') };
    p.out('\nInitialize Kloudspot System Configuration\n\nFirst basic system information...\n');
    const hostname = await ask('? DNS Hostname ');
    const customer = await ask('? Customer Reference ');
    p.out('\nWhat features should be enabled\n');
    const confirm = async (name: string) => {
      const a = await ask(`? Enable ${name} (y/N) `);
      if (a !== '' && !/^(y(es)?|no?)$/i.test(a)) throw new Unanswered(`not a yes or no: ${a}`);
      return /^y/i.test(a);
    };
    const features = { kloudManage: await confirm('KloudManage'), kloudInsights: await confirm('KloudInsights'), kloudHybrid: await confirm('Kloudhybrid') };
    const vg = p.node.vg;
    p.out(`Using ${vg.name} for unshared volumes\nAvailable:  Shared ${Math.floor(vg.sizeBytes / 1e9)} GB, Unshared ${Math.floor(p.node.vgFreeBytes / 1e9)} GB\n\n`);
    p.out('How much storage do you want to assign to each volume\n');
    const volumes: string[] = [];
    for (const [key, question] of VOLUMES.filter(([v]) => asked(features, v))) {
      const gb = await ask(`? ${question} `);
      if (!/^\d{1,6}$/.test(gb)) throw new Unanswered(`not a number of GB: ${gb}`);
      volumes.push(`    ${key}: "${Number(gb)}Gi"`);
    }
    const q = (s: string) => JSON.stringify(s);
    p.writeFile(VALUES_FILE, ['# Generated by kloudspot init', 'global:', `  hostname: ${q(hostname)}`, `  customerRef: ${q(customer)}`,
      'features:', ...Object.entries(features).map(([k, v]) => `  ${k}: ${v}`),
      'storage:', `  unsharedVolumeGroup: ${q(vg.name)}`, '  volumes:', ...volumes,
      'ingress:', `  tls: ${tlsFiles ? `{ keyFile: ${q(tlsFiles.key)}, certFile: ${q(tlsFiles.cert)} }` : '{}'}`, ''].join('\n'), 0o644);
    p.out(`'${VALUES_FILE}' created sucessfully.\n`);
    p.effect('kloudspot init');
    return 0;
  } catch (err) {
    if (!(err instanceof Unanswered)) throw err;
    p.err(`Error: ${err.message || 'EOF'}\n`);
    return 1;
  }
}
