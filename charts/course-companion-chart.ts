/**
 * Everything one environment runs, composed from its environment file. There is no
 * `if (environment === ...)` here: what differs between staging and production is data
 * in charts/environments/<env>.yaml.
 */
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalysisSettings, Environment } from './config/environment';
import { CourseAnalysisTemplates, SMOKE_COMPONENT } from './constructs/analysis';
import { CourseService } from './constructs/course-service';
import { Delivery } from './constructs/delivery';
import { CourseExternalSecret } from './constructs/external-secret';
import { renderConfig } from './config/app-config';
import { METRICS_PORT, ROLE_PORTS, componentLabels } from './constructs/labels';
import { MIGRATION_COMPONENT, MigrationJob } from './constructs/migration-job';
import { ImagePullSecret } from './constructs/image-pull-secret';
import { CourseNamespace } from './constructs/namespace';
import { DefaultDenyNetworkPolicy, NetworkPeer, NetworkRule, WorkloadNetworkPolicy } from './constructs/network-policy';
import { InternalGateway, PublicGateway } from './constructs/routing';
import { LoadCheckAnalysis } from './constructs/load-check';
import { POLICY_CONTROLLER_OPT_IN } from './constructs/cluster/image-policy';
import { addEnvironmentOperations } from './constructs/monitoring/operations';
import { rolloutCatalog, subscriptionAnnotations } from './constructs/notifications/catalog';
import { NotificationConfig } from './constructs/notifications/notification-config';

/**
 * Adds objects to an environment's chart for one synthesis; tests use it to plant a
 * deliberately broken object. The charts themselves never need one.
 */
export type EnvironmentExtension = (chart: CourseCompanionChart) => void;

export interface CourseCompanionChartProps extends ChartProps {
  readonly environment: Environment;
  /** Where the alerts' runbook links point: ops/runbooks.md on the revision Argo CD syncs. */
  readonly runbookUrl: string;
  /** The environment's Application in the Argo CD UI, linked from every release notification. */
  readonly argocdUrl: string;
  /** @default none */
  readonly extensions?: readonly EnvironmentExtension[];
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
  /** Staging's pre-promotion load test of each role's preview, when the environment asks for one. */
  readonly loadCheck?: LoadCheckAnalysis;
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

    this.namespaceObject = new CourseNamespace(this, 'namespace', {
      name: env.namespace,
      // Under the signed-image policy (dist/cluster/): policy-controller admits or
      // rejects pods only in namespaces with its opt-in label.
      labels: { [POLICY_CONTROLLER_OPT_IN.key]: POLICY_CONTROLLER_OPT_IN.value },
    });
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
    if (env.delivery.kind === 'blueGreen' && env.delivery.loadCheck !== undefined) {
      this.loadCheck = new LoadCheckAnalysis(this, 'load-check', { image: env.image, settings: env.delivery.loadCheck });
    }

    this.internetHttpsEgress = { peer: NetworkPeer.internet(), ports: [{ port: 443 }] };
    this.databaseEgress = { peer: NetworkPeer.cidrs(env.network.database.cidrs), ports: [{ port: env.network.database.port }] };
    [this.api, this.web] = this.addRoles(this.addRolloutNotifications(props.argocdUrl));
    this.addJobs();
    addEnvironmentOperations(this, { runbookUrl: props.runbookUrl });
    for (const extend of props.extensions ?? []) extend(this);

    // Last, so every pod gets it, the backup Jobs' included.
    this.addImagePullSecret();
  }

  /** Argo Rollouts' notifications for this namespace; returns the Rollouts' subscription annotations. */
  private addRolloutNotifications(argocdUrl: CourseCompanionChartProps['argocdUrl']): Record<string, string> {
    const env = this.environment;
    const notifications = rolloutCatalog({ environment: env.name, link: argocdUrl, steps: env.delivery.kind === 'canary' });
    new NotificationConfig(this, 'notifications', {
      controller: 'rollouts',
      catalog: notifications,
      webhook: { storeName: env.secrets.storeName, remoteKey: env.notifications.webhookRemoteKey },
    });
    return subscriptionAnnotations(notifications);
  }

  private addImagePullSecret(): void {
    const env = this.environment;
    if (env.image.pullSecretRemoteKey === undefined) return;
    new ImagePullSecret(this, 'image-pull-secret', {
      storeName: env.secrets.storeName,
      refreshInterval: env.secrets.refreshInterval,
      remoteKey: env.image.pullSecretRemoteKey,
    }).applyTo(this);
  }

  /** The api and web roles, and who may talk to them (DESIGN.md, NetworkPolicy). */
  private addRoles(rolloutAnnotations: Readonly<Record<string, string>>): [CourseService, CourseService] {
    const env = this.environment;
    const redisEgress: NetworkRule = { peer: NetworkPeer.cidrs(env.network.redis.cidrs), ports: [{ port: env.network.redis.port }] };
    const internet = (allowed: boolean) => (allowed ? [this.internetHttpsEgress] : []);
    const delivery = Delivery.of(env.delivery);
    // Whose X-Forwarded-For names the visitor (issue 15): any private address, because
    // the NetworkPolicy below admits only the gateway's proxies and the smoke Job to
    // either role. proxy-addr's "uniquelocal" = 10/8, 172.16/12, 192.168/16, fc00::/7.
    const visitorSettings = { TRUSTED_PROXIES: ['uniquelocal'] };
    const config = (role: 'web' | 'api', values: Readonly<Record<string, unknown>>, moreHosts: readonly string[] = []) =>
      this.roleConfig(role, delivery, values, moreHosts);

    const api = new CourseService(this, 'api', {
      ...this.sharedRoleProps('api', delivery, rolloutAnnotations),
      role: 'api',
      scaling: env.api.scaling,
      resources: env.api.resources,
      // The web role arrives through the internal gateway, whose proxy passes the
      // Host header of API_URL on unchanged: the proxy Service's cluster name.
      // Stripe Checkout, the portal and password-reset links send learners back to the web role's public host.
      config: config('api', { ...env.api.config, ...visitorSettings, PUBLIC_WEB_URL: `https://${env.hosts.web}` }, [
        this.internalGateway.hostname,
      ]),
      secrets: this.apiSecrets,
      route: { parent: this.gateway.listener('api'), responseHeaders: env.gateway.responseHeaders },
      internalRoute: { parent: this.internalGateway.listener('api') },
      egress: [
        this.databaseEgress,
        redisEgress,
        ...internet(env.api.egress.internetHttps),
        // Password reset mail (issue 15): the relay's submission port only.
        ...(env.api.egress.smtpPort ? [{ peer: NetworkPeer.internet(), ports: [{ port: env.api.egress.smtpPort }] }] : []),
      ],
    });
    const web = new CourseService(this, 'web', {
      ...this.sharedRoleProps('web', delivery, rolloutAnnotations),
      role: 'web',
      scaling: env.web.scaling,
      resources: env.web.resources,
      config: config('web', {
        ...env.web.config,
        ...visitorSettings,
        // Through the internal gateway's route, whose weights the api Rollout moves;
        // never api-stable, which Argo Rollouts pins to the old version mid-canary.
        API_URL: this.internalGateway.url('api'),
        PUBLIC_API_URL: `https://${env.hosts.api}`,
      }),
      secrets: this.webSecrets,
      route: { parent: this.gateway.listener('web'), responseHeaders: env.gateway.responseHeaders },
      egress: [
        {
          peer: NetworkPeer.podsInNamespace(env.gateway.dataPlaneNamespace, this.internalGateway.proxyPodLabels),
          // Listener port = proxy container port for ports >= 1024 (InternalGateway).
          ports: [{ port: this.internalGateway.port('api') }],
        },
        ...internet(env.web.egress.internetHttps),
      ],
    });
    return [api, web];
  }

  /** What every role gets from the environment, and who may call its HTTP port. */
  private sharedRoleProps(role: 'web' | 'api', delivery: Delivery, rolloutAnnotations: Readonly<Record<string, string>>) {
    const env = this.environment;
    return {
      namespace: env.namespace,
      image: env.image,
      delivery,
      analysis: this.analysis,
      rolloutAnnotations,
      allowMetricsFrom: [NetworkPeer.namespace(env.network.prometheusNamespace)],
      serviceMonitorLabels: env.monitoring.serviceMonitorLabels,
      scrapeInterval: env.monitoring.scrapeInterval,
      // Both gateways' proxies run in the data-plane namespace; the web role has no
      // direct way in to the api, so it cannot bypass the canary weights. The role's
      // own load-check pods (LoadCheckAnalysis) may call it too, and only its own.
      allowHttpFrom: [
        NetworkPeer.namespace(env.gateway.dataPlaneNamespace),
        NetworkPeer.pods(componentLabels(SMOKE_COMPONENT)),
        ...(this.loadCheck?.peersFor(role) ?? []),
      ],
      loadCheckTemplate: this.loadCheck?.templateFor(role),
    };
  }

  /** A role's ConfigMap data: the environment file's settings plus what the chart knows. */
  private roleConfig(
    role: 'web' | 'api',
    delivery: Delivery,
    values: Readonly<Record<string, unknown>>,
    moreHosts: readonly string[],
  ): Record<string, string> {
    const env = this.environment;
    return renderConfig({
      ...{ APP_ENV: env.appEnv, ROLE: role, PORT: ROLE_PORTS[role], METRICS_PORT },
      // The window Argo CD syncs in, so the app announces that same window (issue 17, item 3).
      MAINTENANCE_WINDOW: JSON.stringify(env.maintenanceWindow),
      ...values,
      // In-cluster callers (the web role, smoke tests) use the Services' names as Host.
      ALLOWED_HOSTS: [
        ...env[role].config.ALLOWED_HOSTS,
        ...Object.values(delivery.services(role)).flatMap(({ name }) => [name, `${name}.${env.namespace}.svc.cluster.local`]),
        ...moreHosts,
      ],
    });
  }

  /** The smoke tests' and the migration Job's network policies, and the migration Job. */
  private addJobs(): void {
    new WorkloadNetworkPolicy(this, 'smoke-network-policy', {
      name: SMOKE_COMPONENT,
      podLabels: componentLabels(SMOKE_COMPONENT),
      egress: [this.web, this.api].map((svc) => ({ peer: NetworkPeer.pods(svc.podLabels), ports: [{ port: svc.port }] })),
    });
    new MigrationJob(this, 'migrate', {
      image: this.environment.image,
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
