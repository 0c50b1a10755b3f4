import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { isoTimestampOncePerMillisecond } from '../../app/src/observability/logger';

const root = path.resolve(__dirname, '../..');

/** Runs a few lines in a fresh Node process with the app's logger on its real stdout. */
function runWithLogger(body: string) {
  const script = `
    const { createLogger } = require('./app/src/observability/logger');
    const logger = createLogger({ level: 'info', role: 'api', version: 'test' });
    ${body}
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

describe('buffered stdout logging', () => {
  it('writes the lines still in the buffer when the process exits', () => {
    const result = runWithLogger(`logger.info({ n: 1 }, 'kept'); process.exit(3);`);
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('"msg":"kept"');
  });

  it('writes them when the process crashes on an uncaught exception', () => {
    const result = runWithLogger(`logger.error({ n: 2 }, 'before the crash'); setImmediate(() => { throw new Error('boom'); });`);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('"msg":"before the crash"');
  });

  it("writes a quiet process's lines within about a second, without waiting for a full block", () => {
    const result = runWithLogger(`
      logger.info('lonely line');
      const fs = require('node:fs');
      setTimeout(() => { fs.writeSync(2, 'checkpoint'); process.kill(process.pid, 'SIGKILL'); }, 1500);
    `);
    // SIGKILL skips every exit handler: the line is out only if the periodic flush wrote it.
    expect(result.signal).toBe('SIGKILL');
    expect(result.stderr).toContain('checkpoint');
    expect(result.stdout).toContain('"msg":"lonely line"');
  });
});

describe('log timestamps', () => {
  it('are ISO times of the moment the line is written, formatted once per millisecond', () => {
    let now = Date.UTC(2026, 11, 1, 23, 59, 59, 998);
    const timestamp = isoTimestampOncePerMillisecond(() => now);
    expect(timestamp()).toBe(',"time":"2026-12-01T23:59:59.998Z"');
    expect(timestamp()).toBe(',"time":"2026-12-01T23:59:59.998Z"');
    now += 1;
    expect(timestamp()).toBe(',"time":"2026-12-01T23:59:59.999Z"');
    now += 1;
    expect(timestamp()).toBe(',"time":"2026-12-02T00:00:00.000Z"');
  });
});
