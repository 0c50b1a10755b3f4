/**
 * The notifications ConfigMap (`service.webhook.*`, `template.*`, `trigger.*`, Argo
 * CD's `context`) and the ExternalSecret that produces the Secret the service's `$key`
 * reads, for Argo CD (argocd-notifications-cm / argocd-notifications-secret in its
 * namespace) or Argo Rollouts (argo-rollouts-notification-configmap /
 * argo-rollouts-notification-secret in the Rollouts' namespace, read when the controller
 * runs with `--self-service-notification-enabled`, since v1.6: argo-rollouts
 * docs/features/notifications.md, "Namespace based configuration").
 */
import { Construct } from 'constructs';
import { KubeConfigMap } from 'cdk8s-plus-28/lib/imports/k8s';
import { stringify } from 'yaml';
import { CourseExternalSecret } from '../external-secret';
import { SYNC_WAVE, syncWave } from '../labels';
import { WEBHOOK_SERVICE, WEBHOOK_URL_KEY, type NotificationCatalog } from './catalog';

export const NOTIFICATION_OBJECTS = {
  argocd: { configMap: 'argocd-notifications-cm', secret: 'argocd-notifications-secret' },
  rollouts: { configMap: 'argo-rollouts-notification-configmap', secret: 'argo-rollouts-notification-secret' },
} as const;

export interface NotificationConfigProps {
  readonly controller: keyof typeof NOTIFICATION_OBJECTS;
  /** Namespace of the objects; omitted for an environment's chart, which sets its own. */
  readonly namespace?: string;
  readonly catalog: NotificationCatalog;
  /** The ClusterSecretStore and key holding the webhook's URL (its token is in the URL). */
  readonly webhook: { readonly storeName: string; readonly remoteKey: string };
}

const block = (value: unknown) => stringify(value, { lineWidth: 0 });

/** The ConfigMap's data, keys sorted: what both controllers parse (notifications-engine pkg/api/config.go). */
export function notificationData(catalog: NotificationCatalog): Record<string, string> {
  const data: Record<string, string> = {
    [`service.webhook.${WEBHOOK_SERVICE}`]: block({
      url: `$${WEBHOOK_URL_KEY}`,
      headers: [{ name: 'Content-Type', value: 'application/json' }],
    }),
  };
  if (catalog.context) data.context = block(catalog.context);
  for (const [name, text] of Object.entries(catalog.templates)) {
    data[`template.${name}`] = block({
      message: text,
      webhook: { [WEBHOOK_SERVICE]: { method: 'POST', body: `{"text": "${text}"}` } },
    });
  }
  for (const [name, conditions] of Object.entries(catalog.triggers)) {
    data[`trigger.${name}`] = block(conditions.map((c) => ({ ...c, send: [...c.send] })));
  }
  return Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((key) => [key, data[key]]),
  );
}

export class NotificationConfig extends Construct {
  constructor(scope: Construct, id: string, props: NotificationConfigProps) {
    super(scope, id);
    const names = NOTIFICATION_OBJECTS[props.controller];
    const namespace = props.namespace ? { namespace: props.namespace } : {};
    new KubeConfigMap(this, 'config', {
      metadata: { name: names.configMap, ...namespace, annotations: syncWave(SYNC_WAVE.config) },
      data: notificationData(props.catalog),
    });
    new CourseExternalSecret(this, 'secret', {
      name: names.secret,
      storeName: props.webhook.storeName,
      remoteKeys: { [WEBHOOK_URL_KEY]: props.webhook.remoteKey },
      ...(props.namespace ? { namespace: props.namespace } : {}),
    });
  }
}
