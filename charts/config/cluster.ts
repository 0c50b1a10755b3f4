/**
 * The schema of `charts/cluster.yaml`: the cluster-level objects this app needs that
 * git can carry (the Gateway API plugin entry of Argo Rollouts, one ClusterSecretStore
 * per environment, the signed-image admission policy). Every object is strict, so a
 * misspelt key fails synth naming the file and the field path.
 */
import { z } from 'zod';
import { ConfigFileError, parseWith, readYamlFile, type ConfigProblem } from './file';
import { dnsLabel } from './primitives';
import type { Environment } from './environment';

const httpsUrl = z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, 'an https:// URL');
/** policy-controller's glob alphabet (pkg/apis/glob/glob.go `validGlob`, v0.15.1). */
const imageGlob = z.string().regex(/^[a-zA-Z0-9\-_:/*.@]+$/, 'an image glob such as "ghcr.io/org/app@sha256:*"');

const GATEWAY_API_PLUGIN_RELEASES = 'https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/';

export const ClusterSchema = z
  .object({
    argoRollouts: z
      .object({
        namespace: dnsLabel,
        controllerServiceAccount: dnsLabel,
        gatewayApiPlugin: z
          .object({
            /** The key the Rollouts use under trafficRouting.plugins. */
            name: z.string().regex(/^[a-z0-9-]+\/[A-Za-z0-9-]+$/, 'a plugin name "<org>/<name>"'),
            version: z.string().regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, 'a release tag such as "v0.15.0"'),
            location: httpsUrl,
            /** Checksum Argo Rollouts compares the downloaded binary with (64 hex digits). */
            sha256: z
              .string()
              .regex(/^[0-9a-f]{64}$/, 'a sha256 checksum: 64 lower-case hex digits')
              .optional(),
          })
          .strict()
          .superRefine((plugin, ctx) => {
            // A location that does not name the pinned release would let a floating
            // "latest" or another version in behind the version field's back.
            if (!plugin.location.startsWith(`${GATEWAY_API_PLUGIN_RELEASES}${plugin.version}/`)) {
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                path: ['location'],
                message: `expected a release asset under "${GATEWAY_API_PLUGIN_RELEASES}${plugin.version}/"`,
              });
            }
          }),
      })
      .strict(),
    externalSecrets: z
      .object({
        namespace: dnsLabel,
        vault: z
          .object({
            server: httpsUrl,
            mountPath: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a secrets engine mount such as "secret"'),
            authMountPath: z.string().regex(/^[a-z0-9][a-z0-9_/-]*$/, 'an auth method mount such as "kubernetes"'),
          })
          .strict(),
        /** Environment name → its store. */
        stores: z.record(dnsLabel, z.object({ name: dnsLabel, vaultRole: z.string().min(1), serviceAccount: dnsLabel }).strict()),
        /**
         * The store of Argo CD's own namespace, for its notifications' webhook URL
         * (charts/gitops.yaml `notifications`): it admits only `namespace` and reads only
         * `keyPrefix`, like an environment's.
         */
        argocdStore: z
          .object({
            name: dnsLabel,
            namespace: dnsLabel,
            keyPrefix: z.string().regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9._-]+)*\/$/, 'a key prefix ending in "/"'),
            vaultRole: z.string().min(1),
            serviceAccount: dnsLabel,
          })
          .strict(),
      })
      .strict(),
    /**
     * Signed-image admission: one ClusterImagePolicy per signing workflow, each naming
     * the images that workflow builds (a check compares them with .github/workflows).
     */
    imagePolicies: z
      .object({
        fulcioURL: httpsUrl,
        rekorURL: httpsUrl,
        policies: z
          .array(
            z
              .object({
                name: dnsLabel,
                images: z.array(imageGlob).min(1, 'at least one image glob'),
                signer: z
                  .object({
                    issuer: httpsUrl,
                    /** The workflow identity Fulcio writes into the certificate (exact match). */
                    subject: z
                      .string()
                      .regex(
                        /^https:\/\/github\.com\/[^/]+\/[^/]+\/\.github\/workflows\/[^@]+@refs\/heads\/\S+$/,
                        'a GitHub workflow identity "https://github.com/<org>/<repo>/.github/workflows/<file>@refs/heads/<branch>"',
                      ),
                  })
                  .strict(),
              })
              .strict(),
          )
          .min(1, 'at least one policy'),
      })
      .strict(),
  })
  .strict();

export type ClusterConfig = z.infer<typeof ClusterSchema>;
export type SecretStoreConfig = ClusterConfig['externalSecrets']['stores'][string];

export class ClusterConfigError extends ConfigFileError {
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(file, problems, 'cluster');
    this.name = 'ClusterConfigError';
  }
}
const clusterError = (file: string, problems: readonly ConfigProblem[]) => new ClusterConfigError(file, problems);

/** Validates parsed data; `file` appears in messages only. */
export function parseCluster(data: unknown, file: string): ClusterConfig {
  return parseWith(ClusterSchema, data, file, clusterError);
}

export function loadCluster(file: string): ClusterConfig {
  return parseCluster(readYamlFile(file, clusterError), file);
}

/**
 * The store of one environment. Both files must agree: the environment file names its
 * store (`secrets.storeName`), this file defines it; a missing or different entry
 * fails synth instead of leaving ExternalSecrets pointing at nothing.
 */
export function storeOf(config: ClusterConfig, environment: Environment, file = 'charts/cluster.yaml'): SecretStoreConfig {
  const store = config.externalSecrets.stores[environment.name];
  if (!store) {
    throw new ClusterConfigError(file, [
      { path: `externalSecrets.stores.${environment.name}`, message: `required: the secret store of environment "${environment.name}"` },
    ]);
  }
  if (store.name !== environment.secrets.storeName) {
    throw new ClusterConfigError(file, [
      {
        path: `externalSecrets.stores.${environment.name}.name`,
        message: `expected "${environment.secrets.storeName}" (secrets.storeName in charts/environments/${environment.name}.yaml), got "${store.name}"`,
      },
    ]);
  }
  const others = Object.entries(config.externalSecrets.stores).filter(
    ([env, s]) =>
      env !== environment.name && (s.name === store.name || s.vaultRole === store.vaultRole || s.serviceAccount === store.serviceAccount),
  );
  if (others.length > 0) {
    throw new ClusterConfigError(file, [
      {
        path: `externalSecrets.stores.${environment.name}`,
        message: `expected a store, Vault role and ServiceAccount of its own, shared with "${others[0][0]}"`,
      },
    ]);
  }
  return store;
}
