// Every string in a site spec that can reach a shell on a node is held to one of these patterns.
// None of them admits a shell metacharacter (space, quote, $, `, ;, |, &, <, >, (, ), \, newline, NUL),
// so quoting (src/activities/commands/sh.ts) is a second line of defence, not the only one.

/** RFC 1123 label: lowercase letters, digits, hyphens; 1-63 chars; no leading/trailing hyphen. */
export const RFC1123_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** RFC 1123 host name: dot-separated labels, at most 253 chars. */
export const RFC1123_HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Dotted-quad IPv4 without leading zeros (which some tools read as octal). */
export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Linux interface name: at most 15 chars (IFNAMSIZ - 1), no slash or whitespace. */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** POSIX-portable user name as useradd accepts by default. */
export const UNIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/** LVM volume group name: letters, digits and + _ . -, not starting with a hyphen (lvm(8) "VALID NAMES"). */
export const LVM_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/;

/** LVM size with a unit as lvcreate -L takes it: 20G, 512M, 1T. */
export const LVM_SIZE = /^[1-9]\d{0,5}[MGT]$/;

/** Customer reference as `kloudspot init` asks for it: a short word-like token. */
export const CUSTOMER_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** OpenSSH SHA256 host key fingerprint: "SHA256:" + 43 chars of unpadded base64. */
export const SSH_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** http(s) URL with a conservative character set: no quotes, spaces, $, ;, & or query strings. */
export const SAFE_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/+-]*)?$/;

/** Duration: a whole number followed by s, m or h. */
/** A SHA-256 as `sha256sum` prints it: 64 lowercase hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** An OpenEBS NDM block device name (`blockdevice-<md5 hex>`; a Kubernetes object name): node output is accepted only so. */
export const BLOCK_DEVICE_NAME = /^blockdevice-[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/;

/** A step id as the workflows write it (`<node or cluster>:<step>`): answers naming anything else are refused. */
export const STEP_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?:[a-z0-9][a-z0-9-]{0,40}$/;

/** A device path NDM reports (`/dev/sdb`, `/dev/disk/by-id/...`): shown in a question, so plain characters only. */
export const DEVICE_PATH = /^\/dev\/[A-Za-z0-9._:/+-]{1,200}$/;

export const DURATION = /^(\d{1,6})(s|m|h)$/;

export function durationToMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function sameSubnet(a: string, b: string, prefixLength: number): boolean {
  const size = 2 ** (32 - prefixLength);
  return Math.floor(ipv4ToInt(a) / size) === Math.floor(ipv4ToInt(b) / size);
}

/** True for the network or broadcast address of the subnet (not usable for a host). */
export function isNetworkOrBroadcast(ip: string, prefixLength: number): boolean {
  if (prefixLength >= 31) return false;
  const size = 2 ** (32 - prefixLength);
  const offset = ipv4ToInt(ip) % size;
  return offset === 0 || offset === size - 1;
}
