// The worker child process of the chaos run: started, `kill -9`ed, started again. Its stdout/stderr go
// to one log file (appended across restarts) so a failure can be read after the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface SupervisorOptions {
  env: Record<string, string>;
  logFile: string;
  say: (line: string) => void;
}

export class WorkerSupervisor {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;
  private stopping = false;
  /** When the current child started polling; null while none is. */
  upSince: number | null = null;
  kills = 0;
  /** Exits we did not cause (a crash of the worker itself): restarted too, and reported. */
  unexpectedExits = 0;
  starts = 0;

  constructor(private readonly o: SupervisorOptions) {
    this.log = createWriteStream(o.logFile, { flags: 'a' });
  }

  get up(): boolean {
    return this.upSince !== null;
  }

  /** Starts a child and resolves once it polls (or rejects if it dies first). */
  start(): Promise<void> {
    if (this.child) return Promise.resolve();
    this.starts++;
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'chaos-worker.ts')], {
      env: { ...process.env, ...this.o.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.log.write(`--- worker start #${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    child.stderr?.on('data', (d: Buffer) => this.log.write(d));
    return new Promise((resolve, reject) => {
      let ready = false;
      child.stdout?.on('data', (d: Buffer) => {
        this.log.write(d);
        if (!ready && d.toString().includes('ready')) {
          ready = true;
          this.upSince = Date.now();
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        this.log.write(`--- worker pid ${child.pid} exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
        if (this.child === child) { this.child = null; this.upSince = null; }
        if (!ready) reject(new Error(`the worker exited (${signal ?? code}) before polling; see ${this.o.logFile}`));
        else if (signal !== 'SIGKILL' && !this.stopping) {
          this.unexpectedExits++;
          this.o.say(`worker exited by itself (${signal ?? `exit ${code}`}); restarting`);
          void this.start().catch((err) => this.o.say(`worker restart failed: ${(err as Error).message}`));
        }
      });
    });
  }

  /** `kill -9`: the process gets no chance to finish anything. Returns false when no worker runs. */
  kill(): boolean {
    const child = this.child;
    if (!child?.pid) return false;
    process.kill(child.pid, 'SIGKILL');
    this.child = null;
    this.upSince = null;
    this.kills++;
    return true;
  }

  /** Starts a worker until one polls (a start can fail while the server restarts). */
  async startWithRetry(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.start();
      } catch (err) {
        if (attempt >= 5) throw err;
        this.o.say(`worker start failed (${(err as Error).message}); trying again`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** For an interrupted chaos run: no worker may outlive it. */
  killNow(): void {
    this.stopping = true;
    if (this.child?.pid) process.kill(this.child.pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    this.child = null;
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}
