// iputils arping (package iputils-arping, not on a 22.04 server image by default), duplicate address detection
// only: `arping -D [-q] [-c N] [-w S] -I IFACE ADDRESS`. Exit status from iputils arping.c finish(): in DAD mode
// `!!received` (0: nobody answered, the address is free; 1: someone did); usage errors exit 2. A host that
// drops ICMP still answers ARP, which is why preflight asks both.
import type { Proc } from '../process';
import { answers } from './basic';
import type { CommandDef } from './types';

const mac = (address: string) => `52:54:00:${address.split('.').slice(1).map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0')).join(':')}`;

async function arping(p: Proc): Promise<number> {
  const a = p.argv.slice(1);
  let dad = false, quiet = false, count = 0, iface: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-D') dad = true;
    else if (a[i] === '-q') quiet = true;
    else if (a[i] === '-c') count = Number(a[++i]);
    else if (a[i] === '-w') i++;
    else if (a[i] === '-I') iface = a[++i];
    else rest.push(a[i]);
  }
  const target = rest[0];
  if (!dad || !target || !/^\d+\.\d+\.\d+\.\d+$/.test(target)) {
    p.err('\nUsage:\n  arping [options] <destination>\n\nFor more details see arping(8).\n');
    return 2;
  }
  const dev = iface ?? p.node.iface;
  if (dev !== p.node.iface) { p.err(`arping: Device ${dev} not available.\n`); return 2; }
  const sent = Math.max(1, count);
  await p.work('ping');
  const taken = answers(p, target);
  if (!quiet) {
    p.out(`ARPING ${target} from 0.0.0.0 ${dev}\n`);
    if (taken) p.out(`Unicast reply from ${target} [${mac(target)}]  0.789ms\n`);
    p.out(`Sent ${taken ? 1 : sent} probes (${taken ? 1 : sent} broadcast(s))\nReceived ${taken ? 1 : 0} response(s)\n`);
  }
  return taken ? 1 : 0;
}

export const ARPING: Record<string, CommandDef> = {
  arping: { path: '/usr/bin/arping', run: arping, available: (n) => n.installed.has('iputils-arping') },
};
