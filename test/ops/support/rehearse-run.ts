import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Timeline } from '../../../scripts/rehearse/timeline';

/**
 * `npm run rehearse` on production's committed plan (dist/production, which CI proves
 * equal to a fresh synth), one run per fault, at a speed that keeps each file under
 * two minutes on two cores. Each run starts the app twice, a real Prometheus and a
 * smoke Job process, and reads its verdict from `--json`. The runs are split over two
 * test files (rehearsal.test.ts, rehearsal-faults.test.ts) so Jest's two workers share
 * them: in one file they were 143 s of a 192 s `npm test`.
 */
export const REPO = resolve(__dirname, '../../..');
const SPEED = '40';
export const SLOW = 150_000;

export interface Run {
  readonly code: number;
  readonly timeline: Timeline;
  readonly stdout: string;
}

/** A scratch directory for one test file's runs, removed after it. */
export function workDirectory(): string {
  const work = mkdtempSync(join(tmpdir(), 'rehearsal-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return work;
}

export function rehearse(work: string, fault: string, extra: string[] = []): Promise<Run> {
  const json = join(work, `${fault}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/rehearse.ts',
        '--env',
        'production',
        '--fault',
        fault,
        '--speed',
        SPEED,
        '--json',
        json,
        '--timeout',
        '120',
        ...extra,
      ],
      { cwd: REPO, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          const timeline = JSON.parse(readFileSync(json, 'utf8')) as Timeline;
          done({ code: error ? Number(error.code) : 0, timeline, stdout });
        } catch {
          fail(new Error(`the rehearsal wrote no timeline (${error?.code}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}
