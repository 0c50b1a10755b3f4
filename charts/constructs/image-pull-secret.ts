/**
 * Credentials for private images (issue 11, point 12), only when the environment file
 * sets `image.pullSecretRemoteKey`: an ExternalSecret writes a `kubernetes.io/dockerconfigjson`
 * Secret from that key, and every pod template in the chart names it in
 * `imagePullSecrets`. The images are public GHCR packages today, so the shipped
 * environments generate neither.
 *
 * Pods and not ServiceAccounts: the migration Job and the analysis Jobs run as the
 * namespace's `default` ServiceAccount, which this chart does not own.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { podTemplatesOf } from '../manifest';
import { CourseExternalSecret } from './external-secret';

export interface ImagePullSecretProps {
  /** @default 'image-pull-secret' */
  readonly name?: string;
  readonly storeName: string;
  /** Key in the store holding a Docker config JSON (`{"auths": {"ghcr.io": {...}}}`). */
  readonly remoteKey: string;
  /** @default '1h' */
  readonly refreshInterval?: string;
}

const KEY = 'dockerconfigjson';

export class ImagePullSecret extends Construct {
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: ImagePullSecretProps) {
    super(scope, id);
    this.secretName = props.name ?? 'image-pull-secret';
    new CourseExternalSecret(this, 'secret', {
      name: this.secretName,
      storeName: props.storeName,
      refreshInterval: props.refreshInterval,
      remoteKeys: { [KEY]: props.remoteKey },
      template: { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': `{{ .${KEY} }}` } },
    });
  }

  /** Names the Secret in every pod template of `chart`; call after everything is added. */
  applyTo(chart: Chart): void {
    for (const object of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      // The manifest library's pod discovery: the same pods the image and security rules judge.
      for (const pod of podTemplatesOf({ file: object.node.path, object: object.toJson() as unknown })) {
        object.addJsonPatch(JsonPatch.add(`${pod.specPointer}/imagePullSecrets`, [{ name: this.secretName }]));
      }
    }
  }
}
