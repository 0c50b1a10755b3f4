/**
 * The database migration Job, run by Argo CD as a Sync hook in its own wave: after
 * the Namespace, ExternalSecrets and ConfigMaps are healthy and before any new pod
 * starts, `node app/build/migrate.js` applies pending migrations and loads the course
 * content. Migrations are expand-then-contract, so the old pods keep working against
 * the migrated schema while the rollout is in progress.
 *
 * Why not PreSync: PreSync hooks run before any ordinary object is applied, so on the
 * first sync of a brand-new namespace the hook would wait for a Secret that the
 * ExternalSecret (an ordinary object) has not produced yet. A Sync hook honours sync
 * waves, which gives the order namespace → secrets → migration → workloads with no
 * manual bootstrap.
 */
import { Construct } from 'constructs';
import { KubeJob, Quantity } from 'cdk8s-plus-28/lib/imports/k8s';
import { componentLabels, SYNC_WAVE, syncWave } from './labels';
import {
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
  tmpVolumeMount,
} from './pod-security';

export interface MigrationJobProps {
  /** @default 'migrate' */
  readonly name?: string;
  readonly image: { readonly repository: string; readonly digest: string };
  /** ConfigMap with the api's non-secret settings. */
  readonly configMapName: string;
  /**
   * Secret (from the `migrate-secrets` ExternalSecret) and the keys it holds: the
   * DATABASE_URL of the role that owns the schema, nothing else. Never the api's runtime
   * Secret: the migration needs none of the session, payment or API keys, and the
   * policy check `job-reads-runtime-secret` refuses it.
   */
  readonly secretName: string;
  readonly secretKeys: readonly string[];
  /** Give up after this long. @default 600 */
  readonly activeDeadlineSeconds?: number;
}

export const MIGRATION_COMPONENT = 'migrate';

export class MigrationJob extends Construct {
  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const labels = componentLabels(MIGRATION_COMPONENT);
    new KubeJob(this, 'Resource', {
      metadata: {
        name: props.name ?? 'migrate',
        labels,
        annotations: {
          'argocd.argoproj.io/hook': 'Sync',
          ...syncWave(SYNC_WAVE.migration),
          // Keep the last run (and its logs) until the next sync replaces it.
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 600,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(),
            volumes: [tmpVolume()],
            containers: [
              {
                name: 'migrate',
                image: imageReference(props.image),
                command: ['node', 'app/build/migrate.js'],
                envFrom: [{ configMapRef: { name: props.configMapName } }],
                env: props.secretKeys.map((key) => ({
                  name: key,
                  valueFrom: { secretKeyRef: { name: props.secretName, key } },
                })),
                resources: {
                  requests: { cpu: Quantity.fromString('100m'), memory: Quantity.fromString('128Mi') },
                  limits: { cpu: Quantity.fromString('500m'), memory: Quantity.fromString('256Mi') },
                },
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [tmpVolumeMount()],
              },
            ],
          },
        },
      },
    });
  }
}
