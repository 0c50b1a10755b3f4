import { Construct } from 'constructs';
import { Application, type ApplicationSpecIgnoreDifferences } from '../../imports/applications-argoproj.io';
import { ARGOCD_WAVE } from './cluster-application';
import { syncWave } from './sync-waves';

export interface RetryPolicy {
  /** Attempts after the first failure. */
  readonly limit: number;
  readonly backoff: { readonly duration: string; readonly factor: number; readonly maxDuration: string };
}

/** Where an Application reads a directory of generated objects from, and syncs it to. */
export interface SyncedDirectoryProps {
  /** Application name, e.g. `course-companion-production`. */
  readonly name: string;
  readonly argocdNamespace: string;
  /** The AppProject this Application belongs to. */
  readonly project: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Directory of generated objects, e.g. `dist/production`. */
  readonly path: string;
  readonly destinationServer: string;
  /** Default namespace; every namespaced object in the output names its own. */
  readonly destinationNamespace: string;
  readonly retry: RetryPolicy;
}

export interface EnvironmentApplicationProps extends SyncedDirectoryProps {
  /** Fields a controller owns (see `controllerOwnedFields`). @default none */
  readonly ignoreDifferences?: readonly ApplicationSpecIgnoreDifferences[];
  /** Extra annotations, e.g. notification subscriptions. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * One environment's Application: `dist/<env>` synced into its namespace.
 *
 * - Automated sync with prune and self-heal: git is the only way to change the
 *   namespace. Whether automation may act at a given moment is the AppProject's sync
 *   windows' call, not this object's, so the two environments differ only in data.
 * - `ServerSideApply`: no `last-applied-configuration` annotation, so no object can
 *   outgrow the 256 KiB annotation limit (large PrometheusRules and Rollouts), and
 *   fields other managers own (HPA, Argo Rollouts) are never claimed by Argo CD.
 *   `ServerSideDiff` compares against what the API server would store, defaults
 *   included, so a defaulted field is not a perpetual OutOfSync.
 * - `RespectIgnoreDifferences`: the ignored controller-owned fields are also left
 *   alone when syncing, not only hidden in the diff.
 * - No `PruneLast`: it would move every prune to a wave after the Rollouts' (gitops-engine
 *   getSyncTasks), and Argo CD would then wait for the Rollouts to be Healthy, i.e. for
 *   the whole canary, before ending the operation of any release that removes an
 *   object. Prunes run in their own wave instead, in reverse wave order.
 * - `FailOnSharedResource`: never take over an object another Application manages.
 * - No resources finalizer: deleting the Application (or its file) leaves the
 *   workloads running instead of cascading a delete through production.
 */
export class EnvironmentApplication extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: EnvironmentApplicationProps) {
    super(scope, id);
    if (!/^dist\/[a-z0-9-]+$/.test(props.path)) {
      throw new Error(`'path' must be a generated directory "dist/<env>", got "${props.path}"`);
    }
    this.name = props.name;
    new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace,
        annotations: {
          // After dist/cluster/ (its stores, plugin and admission policy).
          ...syncWave(ARGOCD_WAVE.environment),
          'argocd.argoproj.io/compare-options': 'ServerSideDiff=true',
          ...props.annotations,
        },
      },
      spec: {
        project: props.project,
        source: {
          repoUrl: props.repoURL,
          targetRevision: props.targetRevision,
          path: props.path,
          directory: { recurse: false },
        },
        destination: { server: props.destinationServer, namespace: props.destinationNamespace },
        syncPolicy: {
          automated: { enabled: true, prune: true, selfHeal: true, allowEmpty: false },
          syncOptions: [
            'ServerSideApply=true',
            'RespectIgnoreDifferences=true',
            'FailOnSharedResource=true',
          ],
          retry: {
            limit: props.retry.limit,
            backoff: {
              duration: props.retry.backoff.duration,
              factor: props.retry.backoff.factor,
              maxDuration: props.retry.backoff.maxDuration,
            },
          },
        },
        ...(props.ignoreDifferences && props.ignoreDifferences.length > 0
          ? { ignoreDifferences: props.ignoreDifferences.map((entry) => ({ ...entry })) }
          : {}),
        revisionHistoryLimit: 10,
      },
    });
  }
}

export interface RootApplicationProps {
  readonly name: string;
  readonly argocdNamespace: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Directory holding the AppProject and the environment Applications. */
  readonly path: string;
  /** File of this object inside `path`, left out of its own sync. */
  readonly ownFile: string;
  readonly destinationServer: string;
  readonly retry: RetryPolicy;
}

/**
 * The app-of-apps: the one object applied by hand (`kubectl apply -f`). It syncs
 * `argocd/` (the AppProject and one Application per environment) but not its own
 * file, so git cannot delete or rewrite the bootstrap object behind the operator's
 * back. It lives in Argo CD's `default` project because the project it would
 * otherwise use is one of the objects it creates.
 */
export class RootApplication extends Construct {
  constructor(scope: Construct, id: string, props: RootApplicationProps) {
    super(scope, id);
    new Application(this, 'Resource', {
      metadata: { name: props.name, namespace: props.argocdNamespace },
      spec: {
        project: 'default',
        source: {
          repoUrl: props.repoURL,
          targetRevision: props.targetRevision,
          path: props.path,
          directory: { recurse: false, exclude: props.ownFile },
        },
        destination: { server: props.destinationServer, namespace: props.argocdNamespace },
        syncPolicy: {
          automated: { enabled: true, prune: true, selfHeal: true, allowEmpty: false },
          syncOptions: ['PruneLast=true', 'FailOnSharedResource=true'],
          retry: {
            limit: props.retry.limit,
            backoff: { ...props.retry.backoff },
          },
        },
        revisionHistoryLimit: 10,
      },
    });
  }
}
