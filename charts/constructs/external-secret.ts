/**
 * An ExternalSecret (External Secrets Operator): the Secret's values live in a
 * ClusterSecretStore, and only references to them are committed. The generator never
 * writes a `Secret` with data itself (charts/synth.ts refuses to).
 */
import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
} from '../imports/externalsecrets-external-secrets.io';
import { SYNC_WAVE, syncWave } from './labels';

export interface CourseExternalSecretProps {
  /** Name of the ExternalSecret and of the Secret it produces, e.g. `api-secrets`. */
  readonly name: string;
  /** ClusterSecretStore to read from. */
  readonly storeName: string;
  /** Environment variable (Secret key) → key in the store. Sorted on output. */
  readonly remoteKeys: Readonly<Record<string, string>>;
  /** How often the operator re-reads the store. @default '1h' */
  readonly refreshInterval?: string;
  /**
   * A Secret other than an Opaque one of the keys as they are, e.g. a
   * `kubernetes.io/dockerconfigjson` Secret templated from a key. @default none
   */
  readonly template?: { readonly type: string; readonly data: Readonly<Record<string, string>> };
  /** For objects outside an environment's chart (Argo CD's namespace). @default the chart's */
  readonly namespace?: string;
}

export class CourseExternalSecret extends Construct {
  /** Name of the Secret the operator writes; pods reference it through this. */
  readonly secretName: string;
  /** The keys the Secret will hold, sorted. */
  readonly keys: readonly string[];

  constructor(scope: Construct, id: string, props: CourseExternalSecretProps) {
    super(scope, id);
    this.keys = Object.keys(props.remoteKeys).sort();
    if (this.keys.length === 0) {
      throw new Error(`ExternalSecret ${props.name}: 'remoteKeys' must name at least one key`);
    }
    this.secretName = props.name;
    new ExternalSecret(this, 'Resource', {
      metadata: { name: props.name, ...(props.namespace ? { namespace: props.namespace } : {}), annotations: syncWave(SYNC_WAVE.config) },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: props.storeName },
        target: {
          name: props.name,
          // The operator owns the Secret (it goes when the ExternalSecret goes); if a key
          // vanishes from the store the last value is kept, so a store mishap does not
          // take running pods down.
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
          ...(props.template ? { template: { type: props.template.type, data: { ...props.template.data } } } : {}),
        },
        data: this.keys.map((secretKey) => ({ secretKey, remoteRef: { key: props.remoteKeys[secretKey] } })),
      },
    });
  }
}
