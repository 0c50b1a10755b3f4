import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DevSupervisor, type DevSupervisorOptions } from '../../../app/src/dev/supervisor';

export const APP_TSCONFIG = path.resolve(__dirname, '../../../app/tsconfig.json');

export const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

/** A supervisor on free ports whose log lines the test can read. */
export function supervisorFor(options: Pick<DevSupervisorOptions, 'sourceDir' | 'contentDir' | 'child' | 'typecheck'>) {
  const lines: string[] = [];
  const supervisor = new DevSupervisor({
    ...options,
    ports: { web: 0, api: 0, metrics: 0 },
    host: '127.0.0.1',
    tsconfig: APP_TSCONFIG,
    startTimeoutMs: 120_000,
    log: (line) => {
      lines.push(line);
      if (process.env.DEV_TEST_DEBUG) process.stderr.write(`${line}\n`);
    },
  });
  return { supervisor, lines };
}

/** Wait until `check` holds, polling: file watching and child processes run on their own time. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The `reload` events an open page would receive. */
export async function listenForReloads(webUrl: string): Promise<{ count(): number; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${webUrl}/__dev/events`, { signal: controller.signal });
  let text = '';
  const reader = res.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted by close()
    }
  })();
  return { count: () => text.split('event: reload').length - 1, close: () => controller.abort() };
}
