/**
 * The generator's configuration, read once by charts/main.ts and passed to each chart:
 * the environment files (what differs between environments), charts/gitops.yaml (how
 * Argo CD delivers the output) and charts/cluster.yaml (the cluster-level pieces).
 * Constructs never read files.
 */
import type { ClusterConfig } from './cluster';
import type { Environment } from './environment';
import type { GitopsConfig } from './gitops';

export interface Configuration {
  readonly environments: readonly Environment[];
  readonly gitops: GitopsConfig;
  readonly cluster: ClusterConfig;
}
