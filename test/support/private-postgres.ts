import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway PostgreSQL cluster that a test may stop and start at will (the shared
 * server on 5432 is never touched). PostgreSQL refuses to run as root, so when the
 * tests run as root the cluster belongs to the `postgres` user.
 */
export class PrivatePostgres {
  readonly dir: string;
  readonly dataDir: string;
  private constructor(readonly port: number) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'cc-pg-'));
    this.dataDir = path.join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Runs a PostgreSQL program without blocking the event loop, so a load generator in
   * the same process keeps sending requests while the server stops and starts.
   */
  private async run(cmd: string, args: string[]): Promise<void> {
    const asPostgres = process.getuid?.() === 0;
    const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args]] : [path.join(BIN, cmd), args];
    // Waits for the program's exit, not for its output to close: the server that
    // `pg_ctl start` leaves running would otherwise hold the pipes open for ever.
    const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`);
  }

  static async create(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort());
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(pg.dir, uid, gid);
      chmodSync(pg.dir, 0o700);
    }
    await pg.run('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    await this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      path.join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  async stop(): Promise<void> {
    await this.run('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', '-m', 'immediate', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      await this.stop();
    } catch {
      /* already stopped */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
