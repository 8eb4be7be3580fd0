// Follows an install until it ends: a redrawn view on a terminal, one line per change otherwise.
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { InstallStatus } from '../workflows/api';
import { installHandle } from './installs';
import { changeLines, renderStatus, renderSummary } from './render';

export interface WatchOptions {
  out?: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean };
  intervalMs?: number;
  uiUrl?: string;
  workflowId?: string;
}

/** Resolves with the final status; `ok` is false when the install failed. */
export async function watchInstall(client: Client, site: string, o: WatchOptions = {}): Promise<{ ok: boolean; status?: InstallStatus }> {
  const out = o.out ?? process.stdout;
  const tty = Boolean((out as NodeJS.WriteStream).isTTY);
  const handle = o.workflowId ? client.workflow.getHandle(o.workflowId) : installHandle(client, site);
  let last: InstallStatus | undefined;
  let done = false;
  const result = handle.result().then(
    (s: InstallStatus) => ({ ok: true, status: s }),
    (err: unknown) => ({ ok: false, status: last, error: err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : (err as Error).message }),
  ).finally(() => { done = true; });

  while (!done) {
    try {
      const s = await handle.query<InstallStatus>('status');
      if (tty) out.write('\x1b[H\x1b[2J' + renderStatus(s, { uiUrl: o.uiUrl }) + '\n');
      else for (const line of changeLines(last, s)) out.write(line + '\n');
      last = s;
    } catch {
      // A query can fail while the worker restarts: keep watching.
    }
    await Promise.race([result, new Promise((r) => setTimeout(r, o.intervalMs ?? 1000))]);
  }
  const r = await result;
  const final: InstallStatus | undefined = r.status ?? last;
  if (final) {
    if (!r.ok) { final.state = 'failed'; final.lastError = (r as { error?: string }).error ?? final.lastError; }
    if (!tty) for (const line of changeLines(last, final)) out.write(line + '\n');
    out.write('\n' + renderSummary(final) + '\n');
  }
  return { ok: r.ok, status: final };
}
