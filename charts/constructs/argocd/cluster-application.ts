/**
 * The Argo CD side of dist/cluster/: the Application that syncs it, in an AppProject of
 * its own (a CourseAppProject, built by the Argo CD chart). A separate project rather than a wider `course-companion` project: the
 * environment Applications keep their Namespace-only cluster allow-list, and only this
 * Application may write ClusterRoles, ClusterSecretStores or admission policies.
 */
import { Construct } from 'constructs';
import { Application } from '../../imports/applications-argoproj.io';
import type { SyncedDirectoryProps } from './application';
import { syncWave } from './sync-waves';

/**
 * Order inside argocd/ (the root app-of-apps applies lower waves first): the projects,
 * then the cluster Application, then the environment Applications. Argo CD waits for a
 * wave to be healthy only if Application health is assessed, which needs the
 * `resource.customizations.health.argoproj.io_Application` entry in argocd-cm (removed
 * from the defaults in Argo CD 1.8, argo-cd#3781; docs/operator-manual/health.md).
 */
export const ARGOCD_WAVE = { project: '-2', cluster: '-1', environment: '0' } as const;

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
