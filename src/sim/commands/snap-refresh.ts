// `snap refresh --time [--abs-time]`, `snap refresh --hold[=DUR|forever] [SNAP...]` and `--unhold`, as snapd's
// cmd/snapd/cli/cmd_snap_op.go prints them (showRefreshTimes, holdRefreshes, unholdRefreshes). Refreshing
// itself is not simulated (the installer never asks for it). State: SimNode.snapHolds.
import type { Proc } from '../process';

const FOREVER_AFTER_MS = 100 * 365 * 86_400_000;
/** snapd's default refresh.timer (overlord/snapstate/autorefresh.go defaultRefreshScheduleStr). */
const DEFAULT_TIMER = '00:00~24:00/4';

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
/** timeutil.Human: relative up to 60 days, then YYYY-MM-DD (the simulator's nodes run in UTC). */
function human(ms: number, now: number): string {
  const day = (t: number) => Math.floor(t / 86_400_000);
  const d = day(ms) - day(now);
  const hm = new Date(ms).toISOString().slice(11, 16);
  if (d < -1 && d >= -60) return `${-d} days ago, at ${hm} UTC`;
  if (d === -1) return `yesterday at ${hm} UTC`;
  if (d === 0) return `today at ${hm} UTC`;
  if (d === 1) return `tomorrow at ${hm} UTC`;
  if (d > 1 && d <= 60) return `in ${d} days, at ${hm} UTC`;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Go's time.ParseDuration for the forms a person types: 24h, 90m, 720h30m. */
function parseDuration(text: string): number | undefined {
  if (!/^(\d+(h|m|s))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(h|m|s)/g)) ms += Number(n) * (u === 'h' ? 3_600_000 : u === 'm' ? 60_000 : 1000);
  return ms;
}

export async function snapRefresh(p: Proc, args: string[]): Promise<number> {
  const holds = p.node.snapHolds;
  const now = Date.now();
  const names = args.filter((a) => !a.startsWith('-'));
  const holdArg = args.find((a) => a === '--hold' || a.startsWith('--hold='));
  if (args.includes('--time')) {
    const fmt = (ms: number) => (args.includes('--abs-time') ? rfc3339(ms) : human(ms, now));
    const last = now - 3 * 3_600_000;
    const next = now + 3 * 3_600_000;
    let out = `timer: ${DEFAULT_TIMER}\nlast: ${fmt(last)}\n`;
    if (holds.all > now) out += holds.all - now > FOREVER_AFTER_MS ? 'hold: forever\n' : `hold: ${fmt(holds.all)}\n`;
    out += holds.all >= next ? `next: ${fmt(next)} (but held)\n` : `next: ${fmt(next)}\n`;
    p.out(out);
    return 0;
  }
  if (!p.root && (holdArg || args.includes('--unhold'))) { p.err('error: access denied (try with sudo)\n'); return 1; }
  if (holdArg) {
    const value = holdArg.includes('=') ? holdArg.slice('--hold='.length) : 'forever';
    const dur = value === 'forever' ? Infinity : parseDuration(value);
    if (dur === undefined) { p.err(`error: hold value must be a number of hours, minutes or seconds, or "forever": time: invalid duration "${value}"\n`); return 1; }
    const until = now + dur;
    const when = value === 'forever' ? 'indefinitely' : `until ${rfc3339(until)}`;
    if (names.length === 0) {
      holds.all = until;
      p.out(`Auto-refresh of all snaps held ${when}\n`);
      p.effect(`snap refresh --hold ${value}`);
    } else {
      for (const n of names) holds.snaps.set(n, until);
      p.out(`General refreshes of ${names.map((n) => `"${n}"`).join(', ')} held ${when}\n`);
      p.effect(`snap refresh --hold ${value} ${names.join(' ')}`);
    }
    return 0;
  }
  if (args.includes('--unhold')) {
    if (names.length === 0) { holds.all = 0; p.out('Removed auto-refresh hold on all snaps\n'); } else {
      for (const n of names) holds.snaps.delete(n);
      p.out(`Removed general refresh hold of ${names.map((n) => `"${n}"`).join(', ')}\n`);
    }
    p.effect(`snap refresh --unhold ${names.join(' ')}`.trim());
    return 0;
  }
  p.err('All snaps up to date.\n');
  return 0;
}
