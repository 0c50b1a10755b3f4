import { Construct } from 'constructs';
import { AppProject, type AppProjectSpecSyncWindows } from '../../imports/appprojects-argoproj.io';
import { compareGroupKinds, type GroupKind } from './environment-output';
import { ARGOCD_WAVE } from './cluster-application';
import { syncWave } from './sync-waves';

export interface ProjectDestination {
  /** The environment's namespace, the only place its Application may deploy to. */
  readonly namespace: string;
}

export interface CourseAppProjectProps {
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly argocdNamespace: string;
  readonly description: string;
  /** The one repository the project's Applications may read. */
  readonly repoURL: string;
  /** API server of the destination cluster. */
  readonly destinationServer: string;
  readonly destinations: readonly ProjectDestination[];
  /** Cluster-scoped kinds the apps may create; keep it to the minimum (a Namespace). */
  readonly clusterResources: readonly GroupKind[];
  /** Namespaced kinds the apps may create: exactly those the environments synthesize. */
  readonly namespacedResources: readonly GroupKind[];
  /** @default none */
  readonly syncWindows?: readonly AppProjectSpecSyncWindows[];
  /** SSO groups allowed to sync by hand. */
  readonly deployers: readonly string[];
  /** What the deployers' hand-run syncs are for. @default a watched release or an emergency fix */
  readonly deployerDescription?: string;
  /**
   * Warn about objects in the destinations that git does not describe. Off for
   * namespaces other tools also write to (argo-rollouts, external-secrets). @default true
   */
  readonly warnOrphans?: boolean;
}

/**
 * The AppProject that fences the Course Companion Applications in: one source
 * repository, one namespace per environment, an allow-list of kinds, the maintenance
 * windows, and a `deployer` role for hand-run syncs.
 */
export class CourseAppProject extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: CourseAppProjectProps) {
    super(scope, id);
    if (props.destinations.length === 0) throw new Error("'destinations' must name at least one namespace");
    const clusterKinds = new Set(props.clusterResources.map((k) => `${k.group}/${k.kind}`));
    const overlap = props.namespacedResources.filter((k) => clusterKinds.has(`${k.group}/${k.kind}`));
    if (overlap.length > 0) {
      throw new Error(`'namespacedResources' must not repeat cluster-scoped kinds: ${overlap.map((k) => k.kind).join(', ')}`);
    }
    this.name = props.name;
    const namespaces = [...new Set(props.destinations.map((d) => d.namespace))].sort();
    new AppProject(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace,
        // Before the Applications that name it (root app-of-apps sync order).
        annotations: syncWave(ARGOCD_WAVE.project),
      },
      spec: {
        description: props.description,
        sourceRepos: [props.repoURL],
        destinations: namespaces.map((namespace) => ({ server: props.destinationServer, namespace })),
        clusterResourceWhitelist: [...props.clusterResources].sort(compareGroupKinds).map((k) => ({ ...k })),
        namespaceResourceWhitelist: [...props.namespacedResources].sort(compareGroupKinds).map((k) => ({ ...k })),
        // Objects in these namespaces that git does not describe show as a warning
        // (someone ran kubectl apply); Argo CD does not delete them.
        ...((props.warnOrphans ?? true) ? { orphanedResources: { warn: true } } : {}),
        ...(props.syncWindows ? { syncWindows: [...props.syncWindows] } : {}),
        roles: [
          {
            name: 'deployer',
            description: props.deployerDescription ?? 'Sync by hand: a watched release, or an emergency fix while a window is closed',
            groups: [...props.deployers],
            policies: [
              `p, proj:${props.name}:deployer, applications, get, ${props.name}/*, allow`,
              `p, proj:${props.name}:deployer, applications, sync, ${props.name}/*, allow`,
            ],
          },
        ],
      },
    });
  }
}
