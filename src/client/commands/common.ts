import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { resolveDataConverter } from '../../codec/data-converter';
import { connectClient } from '../installs';

export interface GlobalOptions {
  address?: string; namespace?: string; debug?: boolean; uiUrl?: string;
  codecKeyFile?: string; insecurePlaintext?: boolean;
}

/** The Temporal connection flags every command that talks to a server takes (Temporal's own conventions). */
export function addConnectionOptions(program: Command): Command {
  return program
    .option('--address <host:port>', 'Temporal frontend address (env TEMPORAL_ADDRESS)', process.env.TEMPORAL_ADDRESS)
    .option('--namespace <ns>', 'Temporal namespace (env TEMPORAL_NAMESPACE)', process.env.TEMPORAL_NAMESPACE)
    .option('--ui-url <url>', 'Temporal Web UI base URL, for links (env KLOUDSPOT_UI_URL)', process.env.KLOUDSPOT_UI_URL)
    .option('--codec-key-file <file>', 'payload encryption keys (env KLOUDSPOT_CODEC_KEY_FILE); create with `codec-key new`')
    .option('--insecure-plaintext', 'no payload encryption: secrets are stored in the clear (throwaway setups only)');
}

/** The encrypting data converter, or none with --insecure-plaintext; a missing key is an error. */
export function dataConverterFor(cmd: Command): DataConverter | undefined {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  return resolveDataConverter({ keyFile: o.codecKeyFile, insecurePlaintext: o.insecurePlaintext });
}

export async function clientFor(cmd: Command): Promise<Client> {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  return connectClient({ address: o.address, namespace: o.namespace, dataConverter: dataConverterFor(cmd) });
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}
