/**
 * The Argo CD side of dist/cluster/: an AppProject of its own and the Application that
 * syncs it. A separate project rather than a wider `course-companion` project: the
 * environment Applications keep their Namespace-only cluster allow-list, and only this
 * Application may write ClusterRoles, ClusterSecretStores or admission policies.
 */
import { Construct } from 'constructs';
import { Application } from '../../imports/applications-argoproj.io';
import { AppProject } from '../../imports/appprojects-argoproj.io';
import type { SyncedDirectoryProps } from './application';
import { compareGroupKinds, type GroupKind } from './environment-output';
import { syncWave } from './sync-waves';

/**
 * Order inside argocd/ (the root app-of-apps applies lower waves first): the projects,
 * then the cluster Application, then the environment Applications. Argo CD waits for a
 * wave to be healthy only if Application health is assessed, which needs the
 * `resource.customizations.health.argoproj.io_Application` entry in argocd-cm (removed
 * from the defaults in Argo CD 1.8, argo-cd#3781; docs/operator-manual/health.md).
 */
export const ARGOCD_WAVE = { project: '-2', cluster: '-1', environment: '0' } as const;

export interface ClusterAppProjectProps {
  readonly name: string;
  readonly argocdNamespace: string;
  readonly description: string;
  readonly repoURL: string;
  readonly destinationServer: string;
  /** Namespaces the cluster output writes namespaced objects into (argo-rollouts, external-secrets). */
  readonly namespaces: readonly string[];
  /** Exactly the cluster-scoped kinds dist/cluster/ synthesizes. */
  readonly clusterResources: readonly GroupKind[];
  /** Exactly the namespaced kinds dist/cluster/ synthesizes. */
  readonly namespacedResources: readonly GroupKind[];
  /** SSO groups allowed to sync by hand. */
  readonly deployers: readonly string[];
}

export class ClusterAppProject extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ClusterAppProjectProps) {
    super(scope, id);
    if (props.namespaces.length === 0) throw new Error("'namespaces' must name at least one namespace");
    this.name = props.name;
    new AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: props.argocdNamespace, annotations: syncWave(ARGOCD_WAVE.project) },
      spec: {
        description: props.description,
        sourceRepos: [props.repoURL],
        destinations: [...new Set(props.namespaces)].sort().map((namespace) => ({ server: props.destinationServer, namespace })),
        clusterResourceWhitelist: [...props.clusterResources].sort(compareGroupKinds).map((k) => ({ ...k })),
        namespaceResourceWhitelist: [...props.namespacedResources].sort(compareGroupKinds).map((k) => ({ ...k })),
        roles: [
          {
            name: 'deployer',
            description: 'Sync the cluster pieces by hand',
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

/** The cluster pieces' Application reads `dist/cluster`. */
export type ClusterApplicationProps = SyncedDirectoryProps;

/**
 * Syncs dist/cluster/. Automated with self-heal so a hand edit of the plugin entry or a
 * store is undone, but without prune: deleting a ClusterSecretStore or the admission
 * policy because a file went missing would stop every environment's secrets or let
 * unsigned images in; removing one is a deliberate, manual act. `ServerSideApply` lets
 * Argo CD take over the argo-rollouts-config ConfigMap the Rollouts install created.
 */
export class ClusterApplication extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ClusterApplicationProps) {
    super(scope, id);
    this.name = props.name;
    new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace,
        annotations: { ...syncWave(ARGOCD_WAVE.cluster), 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' },
      },
      spec: {
        project: props.project,
        source: { repoUrl: props.repoURL, targetRevision: props.targetRevision, path: props.path, directory: { recurse: false } },
        destination: { server: props.destinationServer, namespace: props.destinationNamespace },
        syncPolicy: {
          automated: { enabled: true, prune: false, selfHeal: true, allowEmpty: false },
          syncOptions: ['ServerSideApply=true', 'FailOnSharedResource=true'],
          retry: { limit: props.retry.limit, backoff: { ...props.retry.backoff } },
        },
        revisionHistoryLimit: 10,
      },
    });
  }
}
