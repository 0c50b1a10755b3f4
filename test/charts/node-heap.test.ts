import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { heapLimitMiB, mebibytes, nodeCommand } from '../../charts/constructs/node-heap';
import { deployedNodeFlags } from '../../scripts/bench/harness/processes';
import { sourceCommand } from '../../scripts/rehearse/processes';

// Issue 14, memory: each role's V8 heap is sized from its container's memory limit, so
// V8 collects as a pod's budget requires instead of as this 24 GB machine allows.

const REPO = path.resolve(__dirname, '../..');
const read = (file: string) => parse(readFileSync(path.join(REPO, file), 'utf8'));

interface RolloutContainer {
  command: string[];
  resources: { limits: { memory: string } };
}

const rollouts = ['production', 'staging'].flatMap((env) =>
  (['api', 'web'] as const).map((role) => {
    const rollout = read(`dist/${env}/rollout-${role}.yaml`);
    const config = read(`dist/${env}/configmap-${role}-config.yaml`);
    return {
      env,
      role,
      container: rollout.spec.template.spec.containers[0] as RolloutContainer,
      processes: Number(config.data.WEB_CONCURRENCY),
    };
  }),
);

describe('the V8 heap limit of each role', () => {
  it('reads Kubernetes memory quantities and refuses what is not one', () => {
    expect([mebibytes('512Mi'), mebibytes('1Gi'), mebibytes('2048Ki'), mebibytes('1Ti')]).toEqual([512, 1024, 2, 1024 * 1024]);
    expect(() => mebibytes('1G')).toThrow('"1G" is not a memory quantity');
    expect(() => heapLimitMiB('1Gi', 0)).toThrow('processes must be a positive whole number');
  });

  it('gives the processes of a pod three quarters of its memory limit between them', () => {
    expect(heapLimitMiB('1Gi', 1)).toBe(768);
    expect(heapLimitMiB('1Gi', 4)).toBe(192);
    expect(nodeCommand('app/build/server.js', '512Mi', 1)).toEqual(['node', '--max-old-space-size=384', 'app/build/server.js']);
  });

  it.each(rollouts)(
    '$env $role: the generated command sets it from the container limit and WEB_CONCURRENCY',
    ({ container, processes }) => {
      expect(processes).toBeGreaterThanOrEqual(1);
      expect(container.command).toEqual(nodeCommand('app/build/server.js', container.resources.limits.memory, processes));
    },
  );

  // Node refuses an unknown or malformed flag at start; V8 then reports the limit it took
  // (old generation plus young, so a little above the flag), which must leave room under
  // the container's limit for what V8 does not count.
  it.each(rollouts)('$env $role: node starts with the generated flags and V8 keeps within the container', ({ container }) => {
    const flags = container.command.slice(1, -1);
    const limitBytes = Number(
      execFileSync(process.execPath, [...flags, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], {
        encoding: 'utf8',
      }),
    );
    const containerBytes = mebibytes(container.resources.limits.memory) * 1024 * 1024;
    expect(limitBytes).toBeGreaterThanOrEqual(0.75 * containerBytes);
    expect(limitBytes).toBeLessThanOrEqual(0.85 * containerBytes);
  });

  it('the bench runs each role with the flags of production, and the rehearsal with its Rollout command', () => {
    const api = rollouts.find((r) => r.env === 'production' && r.role === 'api')!;
    expect(deployedNodeFlags('api')).toEqual(api.container.command.slice(1, -1));
    expect(sourceCommand(['node', '--max-old-space-size=384', 'app/build/server.js'])).toEqual([
      '--max-old-space-size=384',
      '--import',
      'tsx',
      'app/src/server.ts',
    ]);
    expect(() => sourceCommand(['node', '--max-old-space-size=384'])).toThrow('expected node app/build/<module>.js');
  });
});
