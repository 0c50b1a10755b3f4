/**
 * The Argo CD objects in argocd/: the AppProject, one Application per environment and
 * the root app-of-apps, made from charts/gitops.yaml and from what each environment
 * chart actually synthesizes (its kinds, its controller-owned fields).
 */
import { App, Chart, type ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import type { ApplicationSpecIgnoreDifferences } from '../../imports/applications-argoproj.io';
import type { AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';
import { CourseCompanionChart } from '../../course-companion-chart';
import { autoSyncOf, loadGitops, type GitopsConfig } from '../../gitops';
import type { OutputGroup } from '../../main';
import { CourseAppProject } from './app-project';
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

export interface ArgoCdChartProps extends ChartProps {
  readonly gitops: GitopsConfig;
  readonly environments: readonly EnvironmentDelivery[];
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
        const charts = app.charts.filter((chart): chart is CourseCompanionChart => chart instanceof CourseCompanionChart);
        if (charts.length === 0) throw new Error('argocd/: no environment charts in the app; build dist/<env> first');
        return new ArgoCdChart(app, 'argocd', { gitops, environments: charts.map(deliveryOf) });
      },
    },
  ];
}
