import type { Command } from 'commander';
import { PermissionMissingError } from '../../temporal/namespace-check';
import { MIN_RETENTION_DAYS, formatDays, parseRetention, setupNamespace } from '../../temporal/namespace-setup';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_PURPOSE, type SearchAttributeName } from '../../temporal/search-attributes';
import { connectClient } from '../installs';
import { EXIT_BAD_INPUT, EXIT_FAILED, UserError } from '../errors';
import { globals } from './common';

export function registerSetup(program: Command): void {
  program.command('setup')
    .description('prepare a Temporal namespace for the installer: create it if missing, register the search attributes (idempotent)')
    .option('--retention <duration>', `how long finished installs stay readable, e.g. 30d or 720h (at least ${MIN_RETENTION_DAYS}d); ` +
      'applied when the namespace is created, and raises a shorter one when given', `${MIN_RETENTION_DAYS}d`)
    .addHelpText('after', [
      '',
      'Search attributes it registers (Keyword; not encrypted, so never secret):',
      ...(Object.keys(SEARCH_ATTRIBUTES) as SearchAttributeName[]).map((n) => `  ${n.padEnd(18)} ${SEARCH_ATTRIBUTE_PURPOSE[n]}`),
      '',
      'Needs the admin role on the namespace (and the cluster admin role to create one); says which is missing otherwise.',
      '',
      'Examples:',
      '  $ kloudspot-installer setup --address temporal.example:7233',
      '  $ kloudspot-installer setup --namespace installs --retention 90d',
      '  $ TEMPORAL_API_KEY_FILE=key kloudspot-installer setup --address ns.acct.tmprl.cloud:7233 --namespace ns.acct',
    ].join('\n'))
    .action(async (o: { retention: string }, cmd: Command) => {
      const retentionSeconds = parseRetention(o.retention);
      if (retentionSeconds === undefined) throw new UserError(`--retention ${o.retention}: give a duration such as 30d, 720h or 6w`, EXIT_BAD_INPUT);
      if (retentionSeconds < MIN_RETENTION_DAYS * 86_400) {
        throw new UserError(`--retention ${o.retention}: give at least ${MIN_RETENTION_DAYS}d; installs wait days for answers, and a shorter retention loses their history`, EXIT_BAD_INPUT);
      }
      const g = globals(cmd);
      const namespace = g.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
      const client = await connectClient({ address: g.address, namespace });
      try {
        const r = await setupNamespace(client.connection, {
          namespace, retentionSeconds, retentionGiven: cmd.getOptionValueSource('retention') === 'cli',
          log: (line) => process.stdout.write(`${line}\n`),
        });
        const changed = r.createdNamespace || r.added.length > 0;
        process.stdout.write(`Namespace ${namespace} is ready for kloudspot-installer` +
          `${r.retentionSeconds ? ` (retention ${formatDays(r.retentionSeconds)})` : ''}${changed ? '' : '; nothing to change'}.\n`);
      } catch (err) {
        if (err instanceof PermissionMissingError) throw new UserError(err.message, EXIT_FAILED);
        throw err;
      } finally {
        await client.connection.close();
      }
    });
}
