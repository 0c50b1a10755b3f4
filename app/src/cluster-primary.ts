import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from './config';
import { startMetricsServer } from './listen';
import type { Logger } from './observability/logger';

/**
 * WEB_CONCURRENCY > 1 (a VM, not a pod): the primary forks workers that share the
 * port, serves their aggregated metrics, and passes SIGTERM on.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  for (let i = 0; i < config.webConcurrency; i += 1) cluster.fork();
  const aggregator = new AggregatorRegistry();
  const metricsServer = await startMetricsServer(
    { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() },
    config.metricsPort,
    '0.0.0.0',
  );
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (!stopping) {
      logger.error({ pid: worker.process.pid, code }, 'worker died; starting another');
      cluster.fork();
    } else if (Object.keys(cluster.workers ?? {}).length === 0) {
      metricsServer.close();
      process.exit(0);
    }
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), config.shutdownTimeoutSeconds * 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
