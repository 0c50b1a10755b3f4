/**
 * One environment's ClusterSecretStore: it serves only that environment's namespace
 * and logs in to Vault as an identity whose policy reads only that environment's keys.
 */
import { Construct } from 'constructs';
import { KubeServiceAccount } from 'cdk8s-plus-28/lib/imports/k8s';
import { ClusterSecretStore, ClusterSecretStoreSpecProviderVaultVersion } from '../../imports/clustersecretstores-external-secrets.io';
import { APP_NAME } from '../labels';

/**
 * Annotation on the store naming the key prefix its Vault role may read; the manifest
 * checks (charts/checks/secrets.ts) hold every ExternalSecret using the store to it.
 */
export const KEY_PREFIX_ANNOTATION = 'course-companion.dev/key-prefix';

export interface EnvironmentSecretStoreProps {
  /** Store name, equal to `secrets.storeName` in the environment file. */
  readonly name: string;
  /** The one namespace whose ExternalSecrets may use this store. */
  readonly consumerNamespace: string;
  /** Keys the Vault role may read, e.g. `course-companion/production/`. */
  readonly keyPrefix: string;
  readonly vault: {
    /** Vault address, e.g. `https://vault.vault.svc:8200`. */
    readonly server: string;
    /** KV v2 mount holding the keys. */
    readonly mountPath: string;
    /** Mount of Vault's Kubernetes auth method. */
    readonly authMountPath: string;
    /** Vault role bound to `serviceAccount`; its policy reads only `keyPrefix`. */
    readonly role: string;
  };
  /** Where External Secrets Operator runs; the login ServiceAccount is created there. */
  readonly operatorNamespace: string;
  /** ServiceAccount whose token the operator presents to Vault for this store. */
  readonly serviceAccount: string;
}

/**
 * - `conditions[].namespaces: [<env namespace>]`: External Secrets refuses an
 *   ExternalSecret from any other namespace (pkg/controllers/secretstore/client_manager.go
 *   shouldProcessSecret: a ClusterSecretStore without conditions serves every namespace;
 *   with them, only namespaces whose `kubernetes.io/metadata.name` label is listed;
 *   external-secrets commit cc5bfbc2).
 * - Vault Kubernetes auth with a ServiceAccount in the operator's namespace: the role
 *   in Vault is bound to exactly that account, so the store's reach is what the role's
 *   policy allows (the environment's prefix), and nobody in an app namespace can mint
 *   that account's token. With the namespace set on `serviceAccountRef` the operator
 *   uses this account, not one in the ExternalSecret's namespace.
 */
export class EnvironmentSecretStore extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: EnvironmentSecretStoreProps) {
    super(scope, id);
    if (!props.keyPrefix.endsWith('/')) throw new Error(`'keyPrefix' must end with "/", got "${props.keyPrefix}"`);
    this.name = props.name;
    const labels = { 'app.kubernetes.io/part-of': APP_NAME };
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.serviceAccount, namespace: props.operatorNamespace, labels },
      // Only the operator requests tokens for it (TokenRequest); no pod mounts it.
      automountServiceAccountToken: false,
    });
    new ClusterSecretStore(this, 'Resource', {
      metadata: { name: props.name, labels, annotations: { [KEY_PREFIX_ANNOTATION]: props.keyPrefix } },
      spec: {
        conditions: [{ namespaces: [props.consumerNamespace] }],
        provider: {
          vault: {
            server: props.vault.server,
            path: props.vault.mountPath,
            version: ClusterSecretStoreSpecProviderVaultVersion.V2,
            auth: {
              kubernetes: {
                mountPath: props.vault.authMountPath,
                role: props.vault.role,
                serviceAccountRef: { name: props.serviceAccount, namespace: props.operatorNamespace },
              },
            },
          },
        },
      },
    });
  }
}
