// The SSH layer's option and result shapes (ssh.ts re-exports them).

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Redacted text as it arrives (for progress and heartbeats). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  redact?: string[];
  /** Bytes of stdout and of stderr kept (the last ones); default 64 KiB. */
  tailBytes?: number;
}

export interface ExecResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  hostKey: string;
}

export interface SshPoolOptions {
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** After TERM, how long a stopped command gets before KILL (and as long again before we close the channel). */
  killGraceMs?: number;
  log?: (event: Record<string, unknown>) => void;
}
