/**
 * Database connections in the worst case (issue 11, point 14): what the environment
 * can open at once against what the PostgreSQL server accepts. `loadEnvironment`
 * refuses a file whose worst case does not fit, naming the file, the field and the
 * arithmetic; the README's "Capacity" table is this module's output (a test compares).
 *
 * The worst case, per environment:
 *
 * - every api pod opens up to WEB_CONCURRENCY processes × DATABASE_POOL_SIZE
 *   connections (knex pool `max`, app/src/db/database.ts), and the HPA may run
 *   `api.scaling.max` pods;
 * - during a release a second ReplicaSet runs beside them. With traffic routing Argo
 *   Rollouts keeps the stable ReplicaSet at full size (no dynamicStableScale) and sizes
 *   the canary `ceil(weight × replicas / 100)`, or a setCanaryScale step's replicas or
 *   weight: argoproj/argo-rollouts utils/replicaset/canary.go
 *   `CalculateReplicaCountsForTrafficRoutedCanary`, `trafficWeightToReplicas`,
 *   `GetCanaryReplicasOrWeight` (commit 9f8d111d). After the last step
 *   `GetCurrentSetWeight` returns the maximum weight (100), and the chart's own last
 *   step is `setWeight: 100` (charts/constructs/delivery.ts), so the canary
 *   reaches full size beside the full stable set until the old one is scaled down.
 *   Blue-green: the preview ReplicaSet runs at full size beside the active one
 *   (no previewReplicaCount), and stays `scaleDownDelaySeconds` after the switch.
 *   Either way the peak is two full sets; the table still shows each step;
 * - the migration Job (pool of {@link MIGRATION_CONNECTIONS}) and the daily backup
 *   (`pg_dump` without `--jobs`: one connection) may run at the same time; the weekly
 *   copy never touches the database.
 *
 * The read replica (DATABASE_READ_URL) is another server: only the api's read pools
 * reach it (one more pool per process, the same size), never the jobs. A hot standby
 * must run with `max_connections` at least the primary's (PostgreSQL refuses to start
 * otherwise), so we assume the replica's limit equals `database.maxConnections` and
 * check its (smaller) worst case against it.
 */
import type { Environment } from './environment';

/** The migration's pool: `openDatabase({ ..., poolSize: 2 })` in app/src/migrate.ts. */
export const MIGRATION_CONNECTIONS = 2;
/** `pg_dump --format=custom` without `--jobs` (ops/backup/backup.sh) holds one connection. */
export const BACKUP_CONNECTIONS = 1;

export interface ReleaseStep {
  /** e.g. `canary at 10 %`, `preview (blue-green)`. */
  readonly label: string;
  /** Pods of the new version at this step. */
  readonly pods: number;
}

export interface DatabaseCapacity {
  readonly environment: string;
  /** Connections one api pod may open: WEB_CONCURRENCY × DATABASE_POOL_SIZE. */
  readonly perPod: number;
  readonly webConcurrency: number;
  readonly poolSize: number;
  /** HPA maximum of the api: the stable side's size. */
  readonly stablePods: number;
  readonly steps: readonly ReleaseStep[];
  /** The step with the most new pods. */
  readonly peakStep: ReleaseStep;
  readonly migration: number;
  readonly backup: number;
  /** Worst case on the primary. */
  readonly total: number;
  readonly maxConnections: number;
  readonly reserved: number;
  /** maxConnections − reserved: what the app may use. */
  readonly available: number;
  /** Worst case on the read replica, when DATABASE_READ_URL is set. */
  readonly replicaTotal?: number;
}

/** Pods of the new version at each step of a release, as Argo Rollouts sizes them. */
export function releaseSteps(env: Environment, replicas: number): ReleaseStep[] {
  if (env.delivery.kind === 'blueGreen') return [{ label: 'preview (blue-green, full size)', pods: replicas }];
  const weights = [...env.delivery.steps.map((s) => s.weight), 100];
  return [...new Set(weights)].map((weight) => ({
    label: weight === 100 ? 'canary at 100 % (last step, before the stable set scales down)' : `canary at ${weight} %`,
    pods: Math.ceil((weight * replicas) / 100),
  }));
}

export function databaseCapacity(env: Environment): DatabaseCapacity {
  const webConcurrency = env.api.config.WEB_CONCURRENCY;
  const poolSize = env.api.config.DATABASE_POOL_SIZE;
  const perPod = webConcurrency * poolSize;
  const stablePods = env.api.scaling.max;
  const steps = releaseSteps(env, stablePods);
  const peakStep = steps.reduce((a, b) => (b.pods > a.pods ? b : a));
  const total = (stablePods + peakStep.pods) * perPod + MIGRATION_CONNECTIONS + BACKUP_CONNECTIONS;
  const { maxConnections, reservedConnections } = env.database;
  const readReplica = env.secrets.remoteKeys.api.DATABASE_READ_URL !== undefined;
  return {
    environment: env.name,
    perPod,
    webConcurrency,
    poolSize,
    stablePods,
    steps,
    peakStep,
    migration: MIGRATION_CONNECTIONS,
    backup: BACKUP_CONNECTIONS,
    total,
    maxConnections,
    reserved: reservedConnections,
    available: maxConnections - reservedConnections,
    ...(readReplica ? { replicaTotal: (stablePods + peakStep.pods) * perPod } : {}),
  };
}

/** The sum written out, e.g. `(8 stable + 8 new) pods × 1 × 10 + 2 migrate + 1 backup = 163`. */
export function arithmetic(c: DatabaseCapacity): string {
  return (
    `(${c.stablePods} stable + ${c.peakStep.pods} new) api pods × ${c.webConcurrency} WEB_CONCURRENCY × ${c.poolSize} DATABASE_POOL_SIZE` +
    ` + ${c.migration} migrate + ${c.backup} backup = ${c.total}`
  );
}

/** Problems for the environment file, `[]` when the worst case fits. */
export function capacityProblems(env: Environment): { path: string; message: string }[] {
  const c = databaseCapacity(env);
  const problems: { path: string; message: string }[] = [];
  const limit = `${c.maxConnections} maxConnections − ${c.reserved} reservedConnections = ${c.available}`;
  if (c.total > c.available) {
    problems.push({
      path: 'database.maxConnections',
      message:
        `expected room for the worst case of a release at peak (${c.peakStep.label}): ${arithmetic(c)} connections, ` +
        `but the server accepts ${limit}. Raise the server's max_connections (and this field), or lower ` +
        'api.scaling.max, api.config.WEB_CONCURRENCY or api.config.DATABASE_POOL_SIZE',
    });
  }
  if (c.replicaTotal !== undefined && c.replicaTotal > c.available) {
    problems.push({
      path: 'database.maxConnections',
      message:
        `expected room on the read replica (DATABASE_READ_URL, assumed to run with the primary's max_connections): ` +
        `(${c.stablePods} + ${c.peakStep.pods}) × ${c.perPod} = ${c.replicaTotal} connections, but it accepts ${limit}`,
    });
  }
  return problems;
}

/** The README's "Capacity" table, one row per environment. */
export function capacityMarkdown(environments: readonly Environment[]): string {
  const rows = environments
    .map(databaseCapacity)
    .map((c) =>
      [
        c.environment,
        `${c.stablePods} × ${c.webConcurrency} × ${c.poolSize} = ${c.stablePods * c.perPod}`,
        c.steps.map((s) => `${s.label}: ${s.pods} pods`).join('; '),
        `${c.peakStep.pods} × ${c.perPod} = ${c.peakStep.pods * c.perPod}`,
        `${c.migration} + ${c.backup}`,
        `**${c.total}**`,
        `${c.maxConnections} − ${c.reserved} = ${c.available}`,
        c.replicaTotal === undefined ? 'none' : `${c.replicaTotal} of ${c.available}`,
      ].join(' | '),
    );
  return [
    '| environment | stable: api pods × WEB_CONCURRENCY × pool | new pods per release step | new side at peak | migrate + backup | worst case | available (max − reserved) | read replica |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}
