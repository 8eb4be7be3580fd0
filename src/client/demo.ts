// `npm run demo [-- --auto-answer] [--nodes N] [--realistic] [--real-nodes]`: the main job on the embedded default.
// A dev server (persisted under .demo/), a worker and simulated nodes over real SSH; a whole install of a
// generated site. It asks what a real install asks (a block device, a certificate); answer from the Web UI
// or the CLI, or let --auto-answer answer with the first device and a generated certificate. With --real-nodes the
// nodes are the testbed's systemd-nspawn Debian 12 machines (root only; src/testbed) instead of simulated ones.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { Command } from 'commander';
import { startFleet } from '../sim';
import { parseSiteSpec, summarizeSpec } from '../site/load';
import type { InstallStatus } from '../workflows/api';
import { makeCertificate } from './certs';
import { startDevStack } from './dev-stack';
import { answerBlockDevice, getStatus, resolveFailure, startInstall, uploadCertificate } from './installs';
import { answerCommand } from './render';
import { watchInstall } from './watch';

const opts = new Command('demo')
  .option('--auto-answer', 'answer the block-device and certificate questions automatically')
  .option('--nodes <n>', 'simulated nodes', '3')
  .option('--realistic', 'realistic command latencies (about 30 s of simulated work per install)')
  .option('--real-nodes', 'install onto real Debian 12 nodes of the testbed (systemd-nspawn; needs root), not simulated ones')
  .option('--dir <dir>', 'demo folder (dev server database, site spec, SSH key)', '.demo')
  .parse(process.argv)
  .opts<{ autoAnswer?: boolean; nodes: string; realistic?: boolean; realNodes?: boolean; dir: string }>();

const say = (line = '') => process.stdout.write(line + '\n');
const PREFLIGHT_STEP = 'cluster:preflight';

/** The nodes: simulated (a fleet) or the testbed's real ones; both give a spec and a stop. */
async function startNodes(dir: string, site: string): Promise<{ spec: unknown; specYaml: string; stop(): Promise<void> }> {
  if (opts.realNodes) {
    const { startTestbed } = require('../testbed/testbed') as typeof import('../testbed/testbed');
    const tb = await startTestbed({ nodes: Number(opts.nodes), site, severalBlockDevices: [1], modelLatency: opts.realistic ? 'realistic' : 'fast', log: (l) => say(`testbed: ${l}`) });
    return { spec: tb.spec, specYaml: tb.specYaml, stop: () => tb.stop() };
  }
  const fleet = await startFleet({
    nodes: Number(opts.nodes), site, dir: join(dir, site), latency: opts.realistic ? 'realistic' : 'fast',
    // One node offers two block devices, so the install asks which one (as `kloudspot init` does).
    severalBlockDevices: [1],
  });
  return { spec: fleet.spec, specYaml: fleet.specYaml(), stop: () => fleet.stop() };
}

/** Answers what --auto-answer may answer; failures are left to a person. */
async function autoAnswer(client: Client, site: string, dnsHostname: string, done: () => boolean, skipPreflight: boolean): Promise<void> {
  const answered = new Set<string>();
  const cert = makeCertificate(dnsHostname);
  while (!done()) {
    const s: InstallStatus | undefined = await getStatus(client, site).catch(() => undefined);
    for (const q of s?.questions ?? []) {
      if (answered.has(q.id)) continue;
      if (q.kind === 'blockDevice' && q.node && q.options?.length) {
        answered.add(q.id);
        say(`[auto-answer] ${q.node}: using ${q.options[0]}`);
        await answerBlockDevice(client, site, { node: q.node, blockDevice: q.options[0] }).catch((e) => say(`[auto-answer] ${e.message}`));
      } else if (skipPreflight && q.kind === 'failure' && q.step === PREFLIGHT_STEP) {
        answered.add(q.id);
        say('[auto-answer] preflight refuses the testbed (Debian 12, this machine\'s size), rightly: skipping it');
        await resolveFailure(client, site, { step: PREFLIGHT_STEP, action: 'skip' }).catch((e) => say(`[auto-answer] ${e.message}`));
      } else if (q.kind === 'certificate') {
        answered.add(q.id);
        say(`[auto-answer] uploading a generated certificate for ${dnsHostname}`);
        await uploadCertificate(client, site, cert).catch((e) => say(`[auto-answer] ${e.message}`));
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<number> {
  const dir = resolve(opts.dir);
  say(`Starting the Temporal dev server (data in ${join(dir, 'temporal.db')}), a worker and ${opts.nodes} ${opts.realNodes ? 'real (systemd-nspawn)' : 'simulated'} nodes...`);
  const stack = await startDevStack({ dir, log: (l) => say(l) });
  const site = `demo-${new Date().toISOString().slice(5, 19).replace(/[-:T]/g, '').toLowerCase()}`;
  let exitCode = 1;
  let nodes: Awaited<ReturnType<typeof startNodes>> | undefined;
  try {
    nodes = await startNodes(dir, site);
    const spec = parseSiteSpec(nodes.spec, 'generated site');
    writeFileSync(join(dir, 'site.yaml'), nodes.specYaml);
    say(`Site ${summarizeSpec(spec)}; spec written to ${join(dir, 'site.yaml')}`);
    const handle = await startInstall(stack.client, spec);
    const link = `${stack.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`;
    say('');
    say(`Web UI:   ${stack.uiUrl}`);
    say(`Install:  ${link}`);
    say(`Temporal: ${stack.server.address} (CLI: --address ${stack.server.address})`);
    say('');
    if (opts.autoAnswer) {
      say('Answering questions automatically (--auto-answer).');
    } else {
      say('The install will ask which block device to use on one node, and for a TLS certificate. Answer in the');
      say('Web UI (the workflow page > "Send a Signal", JSON input) or from another shell in this folder:');
      say(`  export TEMPORAL_ADDRESS=${stack.server.address} KLOUDSPOT_CODEC_KEY_FILE=${stack.codecKeyFile}`);
      say(`  npx kloudspot-installer status ${site}`);
      say(`  ${answerCommand(site, { id: '', kind: 'blockDevice', node: spec.nodes[1].name, prompt: '', askedAt: '' }).replace(/^kloudspot-installer/, 'npx kloudspot-installer')}`);
      say(`  npx kloudspot-installer self-signed ${site}`);
      if (opts.realNodes) say(`  npx kloudspot-installer resolve ${site} --step ${PREFLIGHT_STEP} --action skip   # preflight refuses Debian 12 and this machine's size`);
    }
    say('');
    let finished = false;
    const answering = opts.autoAnswer ? autoAnswer(stack.client, site, spec.dnsHostname, () => finished, !!opts.realNodes) : Promise.resolve();
    const r = await watchInstall(stack.client, site, { uiUrl: stack.uiUrl, out: { write: (t: string) => process.stdout.write(t), isTTY: false } });
    finished = true;
    await answering;
    exitCode = r.ok ? 0 : 1;
    say(r.ok ? `\nDemo install of ${site} completed. Its history stays in ${join(dir, 'temporal.db')}.` : `\nDemo install of ${site} did not complete.`);
  } finally {
    await nodes?.stop();
    await stack.stop();
  }
  return exitCode;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  process.exit(1);
});
