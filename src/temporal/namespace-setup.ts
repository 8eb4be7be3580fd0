// What the installer needs on a namespace, checked and set up through the server's own APIs: the namespace
// (with a retention long enough for installs that wait days for people) and the typed search attributes the
// workflows set. `kloudspot-installer setup` runs this; namespace-check.ts is what the other commands check.
import { msNumberToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTES, type SearchAttributeName } from './search-attributes';
import { serverRefusal } from './server-errors';
import { KEYWORD, call, checkSearchAttributes, type AttributeCheck, type Services } from './namespace-check';

const DAY = 86_400;
export const MIN_RETENTION_DAYS = 30;

/** "30d", "720h" or "4w" to seconds; undefined when not one of those. */
export function parseRetention(text: string): number | undefined {
  const m = /^(\d+)\s*([hdw])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { h: 3600, d: DAY, w: 7 * DAY }[m[2] as 'h' | 'd' | 'w'];
}

export function formatDays(seconds: number): string {
  const days = seconds / DAY;
  return Number.isInteger(days) ? `${days}d` : `${(seconds / 3600).toFixed(0)}h`;
}

export interface SetupOptions {
  namespace: string;
  /** Retention for a namespace we create; also applied to an existing shorter one when `retentionGiven`. */
  retentionSeconds: number;
  retentionGiven?: boolean;
  log?: (line: string) => void;
  /** How long a just-created namespace may take to be usable (the servers' namespace cache). */
  readyTimeoutMs?: number;
}

export interface SetupReport {
  createdNamespace: boolean; retentionSeconds?: number; added: SearchAttributeName[]; present: SearchAttributeName[]; warnings: string[];
}

async function describeNamespace(conn: Services, namespace: string) {
  try {
    return await call('DescribeNamespace', namespace, () => conn.workflowService.describeNamespace({ namespace }));
  } catch (err) {
    if (serverRefusal(err)?.status === 'NOT_FOUND') return undefined;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Idempotent: creates what is missing and leaves what is there; a second run changes nothing. */
export async function setupNamespace(conn: Services, o: SetupOptions): Promise<SetupReport> {
  const log = o.log ?? (() => undefined);
  const ns = o.namespace;
  const report: SetupReport = { createdNamespace: false, added: [], present: [], warnings: [] };
  const described = await describeNamespace(conn, ns);
  if (!described) {
    await call('RegisterNamespace', ns, () => conn.workflowService.registerNamespace({
      namespace: ns, description: 'kloudspot-installer installs', workflowExecutionRetentionPeriod: msNumberToTs(o.retentionSeconds * 1000),
    }));
    report.createdNamespace = true;
    report.retentionSeconds = o.retentionSeconds;
    log(`namespace ${ns}: created, retention ${formatDays(o.retentionSeconds)}`);
  } else {
    const current = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
    report.retentionSeconds = current;
    if (current < o.retentionSeconds && o.retentionGiven) {
      await call('UpdateNamespace', ns, () => conn.workflowService.updateNamespace({
        namespace: ns, config: { workflowExecutionRetentionTtl: msNumberToTs(o.retentionSeconds * 1000) },
      }));
      report.retentionSeconds = o.retentionSeconds;
      log(`namespace ${ns}: exists; retention raised from ${formatDays(current)} to ${formatDays(o.retentionSeconds)}`);
    } else if (current < MIN_RETENTION_DAYS * DAY) {
      const w = `namespace ${ns}: exists with a retention of ${formatDays(current)}; installs can wait days for answers, and a finished ` +
        `install's history is gone after that time. Raise it with \`kloudspot-installer setup --retention ${MIN_RETENTION_DAYS}d\`.`;
      report.warnings.push(w);
      log(w);
    } else {
      log(`namespace ${ns}: exists, retention ${formatDays(current)}`);
    }
  }

  // A namespace just created is unknown to the servers' caches for a few seconds: retry NOT_FOUND until then.
  const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
  let check: AttributeCheck;
  for (;;) {
    try {
      check = await checkSearchAttributes(conn, ns);
      break;
    } catch (err) {
      if (serverRefusal(err)?.status !== 'NOT_FOUND' || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
  if (check.wrongType.length) {
    throw new Error(`namespace ${ns} has ${check.wrongType.map((w) => `${w.name} as ${w.type}`).join(', ')}; the installer needs Keyword. ` +
      'A search attribute\'s type cannot change: remove it (`temporal operator search-attribute remove`) and run setup again.');
  }
  report.present = (Object.keys(SEARCH_ATTRIBUTES) as SearchAttributeName[]).filter((n) => !check.missing.includes(n));
  for (const name of report.present) log(`search attribute ${name}: registered`);
  if (check.missing.length) {
    const searchAttributes = Object.fromEntries(check.missing.map((n) => [n, KEYWORD]));
    await call('AddSearchAttributes', ns, () => conn.operatorService.addSearchAttributes({ namespace: ns, searchAttributes }));
    report.added = check.missing;
    for (const name of check.missing) log(`search attribute ${name}: added (Keyword)`);
    // Make sure the server lists them before we say it is done.
    for (;;) {
      const again = await checkSearchAttributes(conn, ns);
      if (again.missing.length === 0) break;
      if (Date.now() > deadline) throw new Error(`namespace ${ns}: added ${check.missing.join(', ')} but the server still does not list ${again.missing.join(', ')}`);
      await sleep(500);
    }
  }
  return report;
}
