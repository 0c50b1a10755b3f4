/**
 * The Argo CD objects in argocd/: the AppProject, one Application per environment and
 * the root app-of-apps, made from charts/gitops.yaml and from what each environment
 * chart actually synthesizes (its kinds, its controller-owned fields).
 */
import { ApiObject, App, Chart, type ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import type { ApplicationSpecIgnoreDifferences } from '../../imports/applications-argoproj.io';
import type { AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';
import { CourseCompanionChart } from '../../course-companion-chart';
import { autoSyncOf, loadGitops, type GitopsConfig } from '../../gitops';
import type { OutputGroup } from '../../main';
import { CourseAppProject } from './app-project';
import { ClusterAppProject, ClusterApplication } from './cluster-application';
import { CLUSTER_DIR, ClusterChart } from '../cluster/cluster-chart';
import { EnvironmentApplication, RootApplication } from './application';
import { compareGroupKinds, controllerOwnedFields, kindsOf, type GroupKind } from './environment-output';
import { maintenanceSyncWindows, type MaintenanceWindow } from './sync-windows';

export const ARGOCD_DIR = 'argocd';
export const DEFAULT_GITOPS_FILE = resolve(__dirname, '..', '..', 'gitops.yaml');

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

    const clusterKeys = new Set(gitops.project.clusterResources.map((k) => `${k.group}/${k.kind}`));
    const namespaced = new Map<string, GroupKind>();
    for (const env of environments) {
      for (const kind of env.kinds) {
        if (!clusterKeys.has(`${kind.group}/${kind.kind}`)) namespaced.set(`${kind.group}/${kind.kind}`, kind);
      }
    }

    this.project = new CourseAppProject(this, 'project', {
      name: gitops.project.name,
      argocdNamespace: gitops.argocd.namespace,
      description: gitops.project.description,
      repoURL: gitops.repoURL,
      destinationServer: gitops.argocd.destinationServer,
      destinations: environments.map((env) => ({ namespace: env.namespace })),
      clusterResources: gitops.project.clusterResources,
      namespacedResources: [...namespaced.values()].sort(compareGroupKinds),
      syncWindows,
      deployers: gitops.project.deployers,
    });

    this.applications = environments.map(
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
        }),
    );

    if (props.cluster) {
      const name = `${gitops.project.name}-cluster`;
      const project = new ClusterAppProject(this, 'cluster-project', {
        name,
        argocdNamespace: gitops.argocd.namespace,
        description: `${gitops.project.description}: the cluster-level pieces (${props.cluster.path})`,
        repoURL: gitops.repoURL,
        destinationServer: gitops.argocd.destinationServer,
        namespaces: props.cluster.namespaces,
        clusterResources: props.cluster.clusterKinds,
        namespacedResources: props.cluster.namespacedKinds,
        deployers: gitops.project.deployers,
      });
      new ClusterApplication(this, 'cluster-application', {
        name,
        argocdNamespace: gitops.argocd.namespace,
        project: project.name,
        repoURL: gitops.repoURL,
        targetRevision: gitops.targetRevision,
        path: props.cluster.path,
        destinationServer: gitops.argocd.destinationServer,
        destinationNamespace: [...props.cluster.namespaces].sort()[0],
        retry: gitops.retry,
      });
    }

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

/**
 * The `argocd/` output group for charts/main.ts. It must come after the environment
 * groups: it reads their charts from the app instead of building them a second time.
 */
export function argoCdOutputGroups(gitopsFile: string = DEFAULT_GITOPS_FILE): readonly OutputGroup[] {
  return [
    {
      dir: ARGOCD_DIR,
      source: join('charts', 'gitops.yaml'),
      build: (app: App) => {
        const gitops = loadGitops(gitopsFile);
        // Not `instanceof`: cdk8s' Chart[Symbol.hasInstance] answers true for every chart
        // (node_modules/cdk8s/lib/chart.js), so dist/cluster/ would count as an environment.
        const charts = app.charts.filter((chart): chart is CourseCompanionChart => Object.prototype.isPrototypeOf.call(CourseCompanionChart.prototype, chart));
        if (charts.length === 0) throw new Error('argocd/: no environment charts in the app; build dist/<env> first');
        const cluster = app.charts.find((chart): chart is ClusterChart => Object.prototype.isPrototypeOf.call(ClusterChart.prototype, chart));
        return new ArgoCdChart(app, 'argocd', {
          gitops,
          environments: charts.map(deliveryOf),
          cluster: cluster && clusterDeliveryOf(cluster),
        });
      },
    },
  ];
}
