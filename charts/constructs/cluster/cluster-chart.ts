/**
 * dist/cluster/: the cluster-scoped pieces this app needs that git can carry, made from
 * charts/cluster.yaml and the environment files. Synced by its own Application in its
 * own AppProject (charts/constructs/argocd/cluster-application.ts), before the
 * environments.
 */
import { Chart, type ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { storeOf, type ClusterConfig } from '../../config/cluster';
import type { Environment } from '../../config/environment';
import { SignedImagePolicy } from './image-policy';
import { GatewayApiPluginConfig, GatewayApiPluginRbac } from './rollouts-plugin';
import { EnvironmentSecretStore } from './secret-store';

export const CLUSTER_DIR = 'dist/cluster';

export interface ClusterChartProps extends ChartProps {
  readonly cluster: ClusterConfig;
  readonly environments: readonly Environment[];
  /** For messages. @default 'charts/cluster.yaml' */
  readonly clusterFile?: string;
}

export class ClusterChart extends Chart {
  readonly cluster: ClusterConfig;
  readonly gatewayApiPlugin: GatewayApiPluginConfig;
  readonly secretStores: readonly EnvironmentSecretStore[];
  readonly imagePolicies: readonly SignedImagePolicy[];

  constructor(scope: Construct, id: string, props: ClusterChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const { cluster } = props;
    this.cluster = cluster;
    const rollouts = cluster.argoRollouts;

    this.gatewayApiPlugin = new GatewayApiPluginConfig(this, 'gateway-api-plugin', {
      namespace: rollouts.namespace,
      name: rollouts.gatewayApiPlugin.name,
      location: rollouts.gatewayApiPlugin.location,
      sha256: rollouts.gatewayApiPlugin.sha256,
    });
    new GatewayApiPluginRbac(this, 'gateway-api-plugin-rbac', {
      controllerNamespace: rollouts.namespace,
      controllerServiceAccount: rollouts.controllerServiceAccount,
    });

    const environments = [...props.environments].sort((a, b) => a.name.localeCompare(b.name));
    this.secretStores = environments.map((env) => {
      const store = storeOf(cluster, env, props.clusterFile);
      return new EnvironmentSecretStore(this, `secret-store-${env.name}`, {
        name: store.name,
        consumerNamespace: env.namespace,
        keyPrefix: env.secrets.keyPrefix,
        vault: { ...cluster.externalSecrets.vault, role: store.vaultRole },
        operatorNamespace: cluster.externalSecrets.namespace,
        serviceAccount: store.serviceAccount,
      });
    });

    const argocdStore = cluster.externalSecrets.argocdStore;
    new EnvironmentSecretStore(this, 'secret-store-argocd', {
      name: argocdStore.name,
      consumerNamespace: argocdStore.namespace,
      keyPrefix: argocdStore.keyPrefix,
      vault: { ...cluster.externalSecrets.vault, role: argocdStore.vaultRole },
      operatorNamespace: cluster.externalSecrets.namespace,
      serviceAccount: argocdStore.serviceAccount,
    });

    const { fulcioURL, rekorURL, policies } = cluster.imagePolicies;
    this.imagePolicies = policies.map(
      (policy) => new SignedImagePolicy(this, `image-policy-${policy.name}`, { ...policy, fulcioURL, rekorURL }),
    );
  }
}
