import type { Command } from 'commander';
import { loadSiteSpecFile, summarizeSpec } from '../../site/load';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { latestHealth } from '../doctor';
import { activeSiteWorkflowId, getStatus, listInstalls, startInstall } from '../installs';
import { renderStatus } from '../render';
import { watchInstall } from '../watch';
import { PINNED_SUMMARY, writePinsToSpec } from '../write-spec';
import { requireNamespaceReady } from '../../temporal/namespace-check';
import { clientFor, globals } from './common';

export function registerInstall(program: Command): void {
  program.command('install')
    .argument('<site.yaml>', 'the site spec')
    .option('--watch', 'follow the install until it ends')
    .description('start installing a site (workflow install/<site>); a worker must be running; refused while the site\'s reset runs')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer install site.yaml --watch\n  $ kloudspot-installer install site.yaml && kloudspot-installer watch acme-hq')
    .action(async (file: string, opts: { watch?: boolean }, cmd: Command) => {
      const spec = loadSiteSpecFile(file);
      const client = await clientFor(cmd);
      await requireNamespaceReady(client.connection, client.options.namespace, globals(cmd).address ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233');
      const handle = await startInstall(client, spec);
      process.stdout.write(`Started ${handle.workflowId} for ${summarizeSpec(spec)}\n`);
      if (opts.watch) {
        const r = await watchInstall(client, spec.site, { uiUrl: globals(cmd).uiUrl });
        if (!r.ok) process.exitCode = EXIT_FAILED;
      } else {
        process.stdout.write(`Follow it with: kloudspot-installer watch ${spec.site}\n`);
      }
    });

  program.command('status')
    .argument('<site>', 'the site name (spec `site:`)')
    .option('--json', 'print the status query result as JSON')
    .option('--write-spec <file>', 'write the host keys pinned at first contact into this spec file as nodes[].hostKey (comments kept)')
    .description('show where an install (or a running reset) stands: phase, each node\'s step, pending questions')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer status acme-hq\n  $ kloudspot-installer status acme-hq --json | jq .questions' +
      '\n  $ kloudspot-installer status acme-hq --write-spec site.yaml')
    .action(async (site: string, opts: { json?: boolean; writeSpec?: string }, cmd: Command) => {
      const client = await clientFor(cmd);
      const s = await getStatus(client, site, await activeSiteWorkflowId(client, site));
      process.stdout.write(opts.json ? JSON.stringify(s, null, 2) + '\n' : renderStatus(s, { uiUrl: globals(cmd).uiUrl }) + '\n');
      if (opts.writeSpec) writePinsToSpec(opts.writeSpec, s.summary?.[PINNED_SUMMARY]);
    });

  program.command('watch')
    .argument('<site>', 'the site name')
    .description('follow an install (or a running reset) live until it ends (one line per change when not on a terminal)')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer watch acme-hq')
    .action(async (site: string, _o: unknown, cmd: Command) => {
      const client = await clientFor(cmd);
      const workflowId = await activeSiteWorkflowId(client, site);
      await getStatus(client, site, workflowId);
      const r = await watchInstall(client, site, { workflowId, uiUrl: globals(cmd).uiUrl });
      if (!r.ok) process.exitCode = EXIT_FAILED;
    });

  program.command('list')
    .description('every site on this server: state, phase, started, what it waits for, health (latest doctor verdict)')
    .option('--json', 'print JSON')
    .option('--health <level>', 'only sites whose latest doctor verdict is this: ok, warn or fail')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer list\n  $ kloudspot-installer list --health fail')
    .action(async (opts: { json?: boolean; health?: string }, cmd: Command) => {
      if (opts.health !== undefined && !['ok', 'warn', 'fail'].includes(opts.health)) {
        throw new UserError(`--health "${opts.health}" is not a verdict. Fix: write ok, warn or fail.`, EXIT_BAD_INPUT);
      }
      const client = await clientFor(cmd);
      const rows = await listInstalls(client);
      const withWaits = await Promise.all(rows.map(async (r) => {
        // The Phase search attribute keeps the last phase the run entered: a completed run is done.
        if (r.status !== 'RUNNING') return { ...r, phase: r.status === 'COMPLETED' ? 'done' : r.phase, waitingFor: '' };
        const s = await getStatus(client, r.site).catch(() => undefined);
        return { ...r, waitingFor: s?.questions.map((q) => `${q.kind}${q.node ? ` ${q.node}` : ''}`).join(', ') ?? '' };
      }));
      const all = await Promise.all(withWaits.map(async (r) => {
        const h = await latestHealth(client, r.site);
        return { ...r, health: h?.health ?? '', healthCheckedAt: h?.checkedAt };
      }));
      const shown = opts.health ? all.filter((r) => r.health === opts.health) : all;
      if (opts.json) { process.stdout.write(JSON.stringify(shown, null, 2) + '\n'); return; }
      if (opts.health && shown.length === 0) { process.stdout.write(`No site whose latest doctor verdict is ${opts.health}.\n`); return; }
      if (shown.length === 0) { process.stdout.write('No installs on this server yet. Start one with: kloudspot-installer install site.yaml\n'); return; }
      const head = ['SITE', 'STATE', 'PHASE', 'STARTED', 'HEALTH', 'WAITING FOR'];
      const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
      const table = shown.map((r) => [r.site, r.status.toLowerCase(), r.phase ?? '', when(r.startTime),
        r.healthCheckedAt ? `${r.health} (${when(r.healthCheckedAt)})` : '-', r.waitingFor]);
      const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
      for (const row of [head, ...table]) process.stdout.write(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
    });
}
