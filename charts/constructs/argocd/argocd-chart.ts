/**
 * The Argo CD objects in argocd/: the AppProject, one Application per environment and
 * the root app-of-apps, made from charts/gitops.yaml and from what each environment
 * chart actually synthesizes (its kinds, its controller-owned fields).
 */
import { argoCdCatalog, subscriptionAnnotations } from '../notifications/catalog';
import { NotificationConfig } from '../notifications/notification-config';
import { ApiObject, Chart, type ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import type { ApplicationSpecIgnoreDifferences } from '../../imports/applications-argoproj.io';
import type { AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';
import type { CourseCompanionChart } from '../../course-companion-chart';
import { autoSyncOf, type GitopsConfig } from '../../config/gitops';
import { CourseAppProject } from './app-project';
import { ClusterApplication } from './cluster-application';
import { CLUSTER_DIR, ClusterChart } from '../cluster/cluster-chart';
import { EnvironmentApplication, RootApplication } from './application';
import { compareGroupKinds, controllerOwnedFields, kindsOf, type GroupKind } from './environment-output';
import { maintenanceSyncWindows, type MaintenanceWindow } from './sync-windows';

export const ARGOCD_DIR = 'argocd';

/** What the Argo CD objects need to know about one environment's output. */
export interface EnvironmentDelivery {
  readonly name: string;
  readonly namespace: string;
  readonly maintenanceWindow: MaintenanceWindow;
  /** Kinds the environment synthesizes. */
  readonly kinds: readonly GroupKind[];
  readonly controllerOwnedFields: readonly ApplicationSpecIgnoreDifferences[];
}

/** What the Argo CD objects need to know about dist/cluster/. */
export interface ClusterDelivery {
  /** Output directory, `dist/cluster`. */
  readonly path: string;
  readonly clusterKinds: readonly GroupKind[];
  readonly namespacedKinds: readonly GroupKind[];
  /** Namespaces its namespaced objects live in. */
  readonly namespaces: readonly string[];
}

export interface ArgoCdChartProps extends ChartProps {
  readonly gitops: GitopsConfig;
  readonly environments: readonly EnvironmentDelivery[];
  /** dist/cluster/, synced by its own Application in its own project. @default none */
  readonly cluster?: ClusterDelivery;
  /** For messages. @default 'charts/gitops.yaml' */
  readonly gitopsFile?: string;
}

export function applicationName(gitops: GitopsConfig, environment: string): string {
  return `${gitops.project.name}-${environment}`;
}

export class ArgoCdChart extends Chart {
  readonly project: CourseAppProject;
  readonly applications: readonly EnvironmentApplication[];

  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const { gitops } = props;
    const file = props.gitopsFile ?? 'charts/gitops.yaml';
    const environments = [...props.environments].sort((a, b) => a.name.localeCompare(b.name));

    const syncWindows: AppProjectSpecSyncWindows[] = environments
      .filter((env) => autoSyncOf(gitops, env.name, file) === 'maintenanceWindow')
      .flatMap((env) => maintenanceSyncWindows(applicationName(gitops, env.name), env.maintenanceWindow));

    this.project = new CourseAppProject(this, 'project', {
      name: gitops.project.name,
      argocdNamespace: gitops.argocd.namespace,
      description: gitops.project.description,
      repoURL: gitops.repoURL,
      destinationServer: gitops.argocd.destinationServer,
      destinations: environments.map((env) => ({ namespace: env.namespace })),
      clusterResources: gitops.project.clusterResources,
      namespacedResources: namespacedKindsOf(gitops, environments),
      syncWindows,
      deployers: gitops.project.deployers,
    });

    this.applications = this.addApplications(gitops, environments);

    if (props.cluster) this.addClusterApplication(gitops, props.cluster);

    new RootApplication(this, 'root', {
      name: gitops.rootApplication,
      argocdNamespace: gitops.argocd.namespace,
      repoURL: gitops.repoURL,
      targetRevision: gitops.targetRevision,
      path: ARGOCD_DIR,
      ownFile: `application-${gitops.rootApplication}.yaml`,
      destinationServer: gitops.argocd.destinationServer,
      retry: gitops.retry,
    });
  }

  /** An Application per environment, subscribed to the Argo CD notifications configured here. */
  private addApplications(gitops: GitopsConfig, environments: readonly EnvironmentDelivery[]): EnvironmentApplication[] {
      const notifications = argoCdCatalog(gitops.notifications.argocdUrl);
      new NotificationConfig(this, 'notifications', {
        controller: 'argocd',
        namespace: gitops.argocd.namespace,
        catalog: notifications,
        webhook: { storeName: gitops.notifications.secretStore, remoteKey: gitops.notifications.webhookRemoteKey },
      });

      return environments.map(
        (env) =>
          new EnvironmentApplication(this, `application-${env.name}`, {
            name: applicationName(gitops, env.name),
            argocdNamespace: gitops.argocd.namespace,
            project: this.project.name,
            repoURL: gitops.repoURL,
            targetRevision: gitops.targetRevision,
            path: `dist/${env.name}`,
            destinationServer: gitops.argocd.destinationServer,
            destinationNamespace: env.namespace,
            retry: gitops.retry,
            ignoreDifferences: env.controllerOwnedFields,
            annotations: subscriptionAnnotations(notifications),
          }),
      );
  }

  /** dist/cluster/: its own AppProject and Application. */
  private addClusterApplication(gitops: GitopsConfig, cluster: ClusterDelivery): void {
    const name = `${gitops.project.name}-cluster`;
    const project = new CourseAppProject(this, 'cluster-project', {
      name,
      argocdNamespace: gitops.argocd.namespace,
      description: `${gitops.project.description}: the cluster-level pieces (${cluster.path})`,
      repoURL: gitops.repoURL,
      destinationServer: gitops.argocd.destinationServer,
      destinations: cluster.namespaces.map((namespace) => ({ namespace })),
      clusterResources: cluster.clusterKinds,
      namespacedResources: cluster.namespacedKinds,
      deployers: gitops.project.deployers,
      deployerDescription: 'Sync the cluster pieces by hand',
      warnOrphans: false,
    });
    new ClusterApplication(this, 'cluster-application', {
      name,
      argocdNamespace: gitops.argocd.namespace,
      project: project.name,
      repoURL: gitops.repoURL,
      targetRevision: gitops.targetRevision,
      path: cluster.path,
      destinationServer: gitops.argocd.destinationServer,
      destinationNamespace: [...cluster.namespaces].sort()[0],
      retry: gitops.retry,
    });
  }
}

/** Kinds the environments synthesize that are not cluster-scoped, for the AppProject. */
function namespacedKindsOf(gitops: GitopsConfig, environments: readonly EnvironmentDelivery[]): GroupKind[] {
  const clusterKeys = new Set(gitops.project.clusterResources.map((k) => `${k.group}/${k.kind}`));
  const namespaced = new Map<string, GroupKind>();
  for (const env of environments) {
    for (const kind of env.kinds) {
      if (!clusterKeys.has(`${kind.group}/${kind.kind}`)) namespaced.set(`${kind.group}/${kind.kind}`, kind);
    }
  }
  return [...namespaced.values()].sort(compareGroupKinds);
}

/** Reads kinds and controller-owned fields from an environment chart already in the app. */
export function deliveryOf(chart: CourseCompanionChart): EnvironmentDelivery {
  return {
    name: chart.environment.name,
    namespace: chart.environment.namespace,
    maintenanceWindow: chart.environment.maintenanceWindow,
    kinds: kindsOf(chart),
    controllerOwnedFields: controllerOwnedFields(chart),
  };
}

/** Kinds (split by scope) and namespaces of the cluster chart already in the app. */
export function clusterDeliveryOf(chart: ClusterChart): ClusterDelivery {
  const clusterKinds = new Map<string, GroupKind>();
  const namespacedKinds = new Map<string, GroupKind>();
  const namespaces = new Set<string>();
  for (const object of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
    const group = object.apiGroup === 'core' ? '' : object.apiGroup;
    const kind = { group, kind: object.kind };
    if (object.metadata.namespace) {
      namespaces.add(object.metadata.namespace);
      namespacedKinds.set(`${group}/${object.kind}`, kind);
    } else clusterKinds.set(`${group}/${object.kind}`, kind);
  }
  return {
    path: CLUSTER_DIR,
    clusterKinds: [...clusterKinds.values()].sort(compareGroupKinds),
    namespacedKinds: [...namespacedKinds.values()].sort(compareGroupKinds),
    namespaces: [...namespaces].sort(),
  };
}
