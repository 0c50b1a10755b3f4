/**
 * Admission of signed images only: a sigstore policy-controller ClusterImagePolicy,
 * plus the Namespace label that puts an environment under it.
 */
import { Construct } from 'constructs';
import { ClusterImagePolicy, ClusterImagePolicySpecMode } from '../../imports/clusterimagepolicies-policy.sigstore.dev';
import { APP_NAME } from '../labels';

/**
 * policy-controller's webhooks act only in namespaces labelled so
 * (sigstore/policy-controller config/500-webhook-configuration.yaml, v0.15.1); in those,
 * an image no policy matches is denied (pkg/config/store.go, `no-match-policy`
 * defaults to deny).
 */
export const POLICY_CONTROLLER_OPT_IN = { key: 'policy.sigstore.dev/include', value: 'true' } as const;

export interface SignedImagePolicyProps {
  readonly name: string;
  /** Globs of the images the policy covers, e.g. `ghcr.io/org/app@sha256:*`. */
  readonly images: readonly string[];
  /** Keyless signer: OIDC issuer and exact certificate subject (workflow identity). */
  readonly signer: { readonly issuer: string; readonly subject: string };
  readonly fulcioURL: string;
  readonly rekorURL: string;
}

/**
 * Images matching `images` are admitted only with a cosign keyless signature whose
 * Fulcio certificate names exactly this issuer and subject, logged in Rekor. The
 * image workflow signs that way (.github/workflows/image.yml, `cosign sign` with the
 * job's GitHub OIDC token). `mode: enforce` rejects; `warn` would only log.
 */
export class SignedImagePolicy extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: SignedImagePolicyProps) {
    super(scope, id);
    if (props.images.length === 0) throw new Error("'images' must name at least one glob");
    this.name = props.name;
    new ClusterImagePolicy(this, 'Resource', {
      metadata: { name: props.name, labels: { 'app.kubernetes.io/part-of': APP_NAME } },
      spec: {
        mode: ClusterImagePolicySpecMode.ENFORCE,
        images: props.images.map((glob) => ({ glob })),
        authorities: [
          {
            name: 'image-workflow',
            keyless: {
              url: props.fulcioURL,
              identities: [{ issuer: props.signer.issuer, subject: props.signer.subject }],
            },
            ctlog: { url: props.rekorURL },
          },
        ],
      },
    });
  }
}
