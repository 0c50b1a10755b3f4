/**
 * Everything one environment runs, composed from its environment file. There is no
 * `if (environment === ...)` here: what differs between staging and production is data
 * in charts/environments/<env>.yaml.
 */
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalysisSettings, Environment } from './environment';
import { CourseAnalysisTemplates, SMOKE_COMPONENT } from './constructs/analysis';
import { CourseService } from './constructs/course-service';
import { CourseExternalSecret } from './constructs/external-secret';
import { ROLE_PORTS, componentLabels } from './constructs/labels';
import { MIGRATION_COMPONENT, MigrationJob } from './constructs/migration-job';
import { ImagePullSecret } from './constructs/image-pull-secret';
import { CourseNamespace } from './constructs/namespace';
import { DefaultDenyNetworkPolicy, NetworkPeer, NetworkRule, WorkloadNetworkPolicy } from './constructs/network-policy';
import { InternalGateway, PublicGateway } from './constructs/routing';

/**
 * Adds more objects to an environment's chart, e.g. the backup CronJob. Registered in
 * charts/main.ts so each concept stays in its own file.
 */
export type EnvironmentExtension = (chart: CourseCompanionChart) => void;

export interface CourseCompanionChartProps extends ChartProps {
  readonly environment: Environment;
  /** @default none */
  readonly extensions?: readonly EnvironmentExtension[];
}

/** A configuration value as the environment file and the charts hold it. */
type ConfigValue = string | number | boolean | readonly (string | number)[] | undefined;

/** Renders configuration values the way the app's zod config parses them. */
export function renderConfig(values: Readonly<Record<string, ConfigValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

export class CourseCompanionChart extends Chart {
  readonly environment: Environment;
  readonly namespaceObject: CourseNamespace;
  readonly apiSecrets: CourseExternalSecret;
  readonly webSecrets: CourseExternalSecret;
  /** Secret of the migration Job: only the DATABASE_URL of the schema owner's role. */
  readonly migrateSecrets: CourseExternalSecret;
  /** Secrets of the backup CronJob (read-only database URL, object storage keys). */
  readonly backupSecrets: CourseExternalSecret;
  readonly gateway: PublicGateway;
  /** In-cluster entry to the api, so the web role's calls follow the canary weights. */
  readonly internalGateway: InternalGateway;
  readonly analysis: CourseAnalysisTemplates;
  readonly api: CourseService;
  readonly web: CourseService;
  /** NetworkPolicy rules for workloads that talk to the database (api, migrations, backups). */
  readonly databaseEgress: NetworkRule;
  /** HTTPS to the internet (object storage, Sentry). */
  readonly internetHttpsEgress: NetworkRule;

  constructor(scope: Construct, id: string, props: CourseCompanionChartProps) {
    super(scope, id, { ...props, namespace: props.environment.namespace, disableResourceNameHashes: true });
    const env = props.environment;
    this.environment = env;

    this.namespaceObject = new CourseNamespace(this, 'namespace', { name: env.namespace });
    new DefaultDenyNetworkPolicy(this, 'default-deny');

    const secret = (name: string, remoteKeys: Record<string, string>) =>
      new CourseExternalSecret(this, name, {
        name,
        storeName: env.secrets.storeName,
        refreshInterval: env.secrets.refreshInterval,
        remoteKeys,
      });
    this.apiSecrets = secret('api-secrets', env.secrets.remoteKeys.api);
    this.webSecrets = secret('web-secrets', env.secrets.remoteKeys.web);
    this.migrateSecrets = secret('migrate-secrets', env.secrets.remoteKeys.migrate);
    this.backupSecrets = secret('backup-secrets', env.secrets.remoteKeys.backup);

    this.gateway = new PublicGateway(this, 'gateway', {
      className: env.gateway.className,
      hostnames: { web: env.hosts.web, api: env.hosts.api },
      clusterIssuer: env.tls.clusterIssuer,
      allowedSourceRanges: env.gateway.allowedSourceRanges,
    });
    this.internalGateway = new InternalGateway(this, 'internal-gateway', {
      className: env.gateway.className,
      // Envoy Gateway's namespace holds the proxy Services of every environment.
      serviceName: `${env.namespace}-internal`,
      dataPlaneNamespace: env.gateway.dataPlaneNamespace,
      listeners: { api: ROLE_PORTS.api },
    });
    this.analysis = new CourseAnalysisTemplates(this, 'analysis', analysisProps(env.analysis, env));

    // --- who may talk to whom (DESIGN.md, NetworkPolicy) --------------------------------
    const gatewayPeer = NetworkPeer.namespace(env.gateway.dataPlaneNamespace);
    const prometheusPeer = NetworkPeer.namespace(env.network.prometheusNamespace);
    const smokePeer = NetworkPeer.pods(componentLabels(SMOKE_COMPONENT));
    this.internetHttpsEgress = { peer: NetworkPeer.internet(), ports: [{ port: 443 }] };
    this.databaseEgress = { peer: NetworkPeer.cidrs(env.network.database.cidrs), ports: [{ port: env.network.database.port }] };
    const redisEgress: NetworkRule = { peer: NetworkPeer.cidrs(env.network.redis.cidrs), ports: [{ port: env.network.redis.port }] };
    const internet = (allowed: boolean) => (allowed ? [this.internetHttpsEgress] : []);

    const common = {
      namespace: env.namespace,
      image: env.image,
      delivery: env.delivery,
      analysis: this.analysis,
      allowMetricsFrom: [prometheusPeer],
      serviceMonitorLabels: env.monitoring.serviceMonitorLabels,
      scrapeInterval: env.monitoring.scrapeInterval,
    };
    const baseConfig = (role: 'web' | 'api') => ({
      APP_ENV: env.appEnv,
      ROLE: role,
      PORT: ROLE_PORTS[role],
      METRICS_PORT: 9464,
    });
    // In-cluster callers (the web role, smoke tests) use the Services' names as Host.
    const inClusterHosts = (role: 'web' | 'api') =>
      CourseService.serviceNames(role, env.delivery.kind).flatMap((name) => [name, `${name}.${env.namespace}.svc.cluster.local`]);

    this.api = new CourseService(this, 'api', {
      ...common,
      role: 'api',
      scaling: env.api.scaling,
      resources: env.api.resources,
      config: renderConfig({
        ...baseConfig('api'),
        ...env.api.config,
        // The web role arrives through the internal gateway, whose proxy passes the
        // Host header of API_URL on unchanged: the proxy Service's cluster name.
        ALLOWED_HOSTS: [...env.api.config.ALLOWED_HOSTS, ...inClusterHosts('api'), this.internalGateway.hostname],
      }),
      secrets: this.apiSecrets,
      route: { parent: this.gateway.listener('api'), responseHeaders: env.gateway.responseHeaders },
      internalRoute: { parent: this.internalGateway.listener('api') },
      // Both gateways' proxies run in the data-plane namespace; the web role has no
      // direct way in, so it cannot bypass the canary weights.
      allowHttpFrom: [gatewayPeer, smokePeer],
      egress: [this.databaseEgress, redisEgress, ...internet(env.api.egress.internetHttps)],
    });

    this.web = new CourseService(this, 'web', {
      ...common,
      role: 'web',
      scaling: env.web.scaling,
      resources: env.web.resources,
      config: renderConfig({
        ...baseConfig('web'),
        ...env.web.config,
        ALLOWED_HOSTS: [...env.web.config.ALLOWED_HOSTS, ...inClusterHosts('web')],
        // Through the internal gateway's route, whose weights the api Rollout moves;
        // never api-stable, which Argo Rollouts pins to the old version mid-canary.
        API_URL: this.internalGateway.url('api'),
        PUBLIC_API_URL: `https://${env.hosts.api}`,
      }),
      secrets: this.webSecrets,
      route: { parent: this.gateway.listener('web'), responseHeaders: env.gateway.responseHeaders },
      allowHttpFrom: [gatewayPeer, smokePeer],
      egress: [
        {
          peer: NetworkPeer.podsInNamespace(env.gateway.dataPlaneNamespace, this.internalGateway.proxyPodLabels),
          // Listener port = proxy container port for ports >= 1024 (InternalGateway).
          ports: [{ port: this.internalGateway.port('api') }],
        },
        ...internet(env.web.egress.internetHttps),
      ],
    });

    new WorkloadNetworkPolicy(this, 'smoke-network-policy', {
      name: SMOKE_COMPONENT,
      podLabels: componentLabels(SMOKE_COMPONENT),
      egress: [this.web, this.api].map((svc) => ({ peer: NetworkPeer.pods(svc.podLabels), ports: [{ port: svc.port }] })),
    });

    new MigrationJob(this, 'migrate', {
      image: env.image,
      configMapName: this.api.configMapName,
      // Its own Secret, never the api's: least privilege (issue 11, point 10).
      secretName: this.migrateSecrets.secretName,
      secretKeys: this.migrateSecrets.keys,
    });
    new WorkloadNetworkPolicy(this, 'migrate-network-policy', {
      name: MIGRATION_COMPONENT,
      podLabels: componentLabels(MIGRATION_COMPONENT),
      egress: [this.databaseEgress],
    });

    for (const extend of props.extensions ?? []) extend(this);

    // Last, so the pods added by extensions get it too.
    if (env.image.pullSecretRemoteKey !== undefined) {
      new ImagePullSecret(this, 'image-pull-secret', {
        storeName: env.secrets.storeName,
        refreshInterval: env.secrets.refreshInterval,
        remoteKey: env.image.pullSecretRemoteKey,
      }).applyTo(this);
    }
  }
}

function analysisProps(analysis: AnalysisSettings, env: Environment) {
  return {
    namespace: env.namespace,
    prometheusAddress: analysis.prometheusAddress,
    successRateMin: analysis.successRateMin,
    latencyP95MaxSeconds: analysis.latencyP95MaxSeconds,
    interval: analysis.interval,
    rateWindow: analysis.rateWindow,
    minimumRequests: analysis.minimumRequests,
    failureLimit: analysis.failureLimit,
    inconclusiveLimit: analysis.inconclusiveLimit,
    image: env.image,
  };
}
