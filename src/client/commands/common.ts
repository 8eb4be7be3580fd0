import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { connectClient } from '../installs';

export interface GlobalOptions { address?: string; namespace?: string; debug?: boolean; uiUrl?: string }

/** The Temporal connection flags every command that talks to a server takes (Temporal's own conventions). */
export function addConnectionOptions(program: Command): Command {
  return program
    .option('--address <host:port>', 'Temporal frontend address (env TEMPORAL_ADDRESS)', process.env.TEMPORAL_ADDRESS)
    .option('--namespace <ns>', 'Temporal namespace (env TEMPORAL_NAMESPACE)', process.env.TEMPORAL_NAMESPACE)
    .option('--ui-url <url>', 'Temporal Web UI base URL, for links (env KLOUDSPOT_UI_URL)', process.env.KLOUDSPOT_UI_URL);
}

export async function clientFor(cmd: Command): Promise<Client> {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  return connectClient({ address: o.address, namespace: o.namespace });
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}
