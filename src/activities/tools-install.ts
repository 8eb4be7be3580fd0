// The Kloudspot tools script, verified before it runs as root: https only, downloaded to a root-only file,
// its SHA-256 compared by the worker with the spec's kloudspot.toolsSha256, run only when it matches.
import type { ProxyInput } from './commands/proxy';
import * as tools from './commands/tools';
import { FailureType, failure } from './failures';
import { commandFailed, run, type ActivityDeps } from './run';
import type { SshTarget } from './ssh';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const TOOLS_TIMEOUT_MS = 20 * 60_000;

/** Downloads, verifies and runs the tools script; throws before running anything that does not match the pin. */
export async function installVerifiedTools(deps: ActivityDeps, t: SshTarget, url: string, sha256: string | undefined, proxy?: ProxyInput): Promise<void> {
  if (!/^https:\/\//.test(url)) {
    throw failure(FailureType.InvalidInput, `${t.node}: the tools URL ${url} is not https; a script run as root must come over TLS. Fix: set kloudspot.toolsUrl to an https URL`, { nonRetryable: true });
  }
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw failure(FailureType.InvalidInput, `${t.node}: no kloudspot.toolsSha256 is pinned, so the tools script is not run. Fix: add kloudspot.toolsSha256 (\`curl -fsSL ${url} | sha256sum\`) to the spec`, { nonRetryable: true });
  }
  await run(deps, t, tools.downloadTools(url, proxy));
  const sum = await run(deps, t, tools.toolsChecksum());
  const actual = tools.parseSha256sum(sum.stdout);
  if (actual === EMPTY_SHA256) {
    // The registry answered nothing (curl can exit 0 on an interrupted transfer): a transient failure, retried;
    // the empty file holds nothing to protect and the next download replaces it.
    throw failure(FailureType.CommandFailed, `${t.node}: the tools script download from ${url} was empty (the registry did not answer); it was not run`);
  }
  if (actual !== sha256) {
    await run(deps, t, tools.removeTools());
    throw failure(FailureType.ChecksumMismatch,
      `${t.node}: the tools script from ${url} has SHA-256 ${actual ?? 'unknown'}, not the pinned ${sha256}; it was not run. ` +
      'Fix: if the script changed on purpose, check it and pin its new kloudspot.toolsSha256; otherwise find out who changed it', { nonRetryable: true });
  }
  const r = await run(deps, t, tools.runTools(proxy), { timeoutMs: TOOLS_TIMEOUT_MS });
  await run(deps, t, tools.removeTools());
  if (r.code !== 0) throw commandFailed(t, r, 'the tools script failed');
}
