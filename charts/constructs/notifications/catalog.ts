/**
 * What the release notifications say and when (issue 17, item 2): the triggers and
 * templates of Argo CD's and Argo Rollouts' notifications, both built on
 * argoproj/notifications-engine, and sent to one Slack-compatible webhook service.
 *
 * Semantics relied on (read in the sources, not guessed):
 * - Templates are Go templates over the object (`.app` for Argo CD, `.rollout` for Argo
 *   Rollouts) plus `.context` (Argo CD's `context` key), with Sprig's functions
 *   (argo-cd docs/operator-manual/notifications/templates.md). A webhook template names
 *   the service and gives `method` and `body` (notification-services/webhook.md).
 * - Argo CD triggers are conditions in expr-lang with `oncePer` deduplication, as in its
 *   catalog (argo-cd@37ee0097 notifications_catalog/install.yaml: on-sync-failed,
 *   on-health-degraded, on-deployed; on-deployed's extra time comparison is left out:
 *   our message is about the promotion, sent once per revision).
 * - Argo Rollouts triggers have no condition: the controller runs the trigger named
 *   `on-` + the kebab-cased reason of the event it records (RolloutAborted →
 *   on-rollout-aborted, AnalysisRunFailed → on-analysis-run-failed, RolloutCompleted →
 *   on-rollout-completed; argo-rollouts@9f8d111d utils/record/record.go
 *   `translateReasonToTrigger`).
 *
 * Bodies are JSON (`{"text": …}`, what Slack's incoming webhooks and compatible ones
 * accept); the values interpolated are object names, images, numbers and URLs, which
 * never hold a quote or a backslash, so no escaping function is needed. A test renders
 * every template with sample objects and parses the body (test/charts/notifications.test.ts).
 */

/** The webhook service every subscription names: `service.webhook.<this>`. */
export const WEBHOOK_SERVICE = 'releases';
/** Key of the webhook URL in the notifications Secret, referenced as `$<key>`. */
export const WEBHOOK_URL_KEY = 'releases-webhook-url';

export interface TriggerCondition {
  readonly description?: string;
  /** expr-lang condition; absent for Argo Rollouts' event triggers. */
  readonly when?: string;
  readonly oncePer?: string;
  readonly send: readonly string[];
}

export interface NotificationCatalog {
  /** Template name → the text of its message (the webhook body's `text`). */
  readonly templates: Readonly<Record<string, string>>;
  /** Trigger name (`on-…`) → its conditions. */
  readonly triggers: Readonly<Record<string, readonly TriggerCondition[]>>;
  /** Argo CD only: values templates read as `.context.<key>`. */
  readonly context?: Readonly<Record<string, string>>;
}

const SYNCED_REVISION = 'app.status.operationState?.syncResult?.revision';

/** Argo CD: sync failed, degraded, and a revision deployed (the image promoted). */
export function argoCdCatalog(argocdUrl: string): NotificationCatalog {
  const where = '[{{.app.spec.destination.namespace}}] {{.app.metadata.name}}';
  const link = '{{.context.argocdUrl}}/applications/{{.app.metadata.namespace}}/{{.app.metadata.name}}';
  const revision = '{{.app.status.operationState.syncResult.revision}}';
  return {
    context: { argocdUrl },
    templates: {
      'app-sync-failed': `${where}: sync of revision ${revision} FAILED ({{.app.status.operationState.phase}}). Nothing new reaches users until it is fixed. ${link}`,
      'app-health-degraded': `${where} is DEGRADED at revision {{.app.status.sync.revision}}. Check the Rollouts and pods. ${link}`,
      'app-image-promoted': `${where}: revision ${revision} is synced and healthy; images {{range .app.status.summary.images}}{{.}} {{end}}${link}`,
    },
    triggers: {
      'on-sync-failed': [
        {
          description: 'A sync failed, once per revision',
          oncePer: SYNCED_REVISION,
          when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
          send: ['app-sync-failed'],
        },
      ],
      'on-health-degraded': [
        {
          description: 'The application is degraded',
          oncePer: SYNCED_REVISION,
          when: "app.status.health.status == 'Degraded'",
          send: ['app-health-degraded'],
        },
      ],
      'on-deployed': [
        {
          description: 'A new revision (a promoted image) is synced and healthy, once per revision',
          oncePer: SYNCED_REVISION,
          when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
          send: ['app-image-promoted'],
        },
      ],
    },
  };
}

export interface RolloutCatalogProps {
  /** The environment's name, printed first in every message. */
  readonly environment: string;
  /** Where a person looks: the environment's Application in the Argo CD UI. */
  readonly link: string;
  /** Canary rollouts have steps; blue-green ones do not. */
  readonly steps: boolean;
}

/** Argo Rollouts: a rollout aborted, an analysis failed, a rollout completed. */
export function rolloutCatalog(props: RolloutCatalogProps): NotificationCatalog {
  const where = `[${props.environment}] Rollout {{.rollout.metadata.name}}`;
  const image = 'image {{(index .rollout.spec.template.spec.containers 0).image}}';
  const step = props.steps ? ' at step {{.rollout.status.currentStepIndex}}' : ' before promotion';
  return {
    templates: {
      'rollout-aborted': `${where} ABORTED${step} (${image}): all traffic is back on the stable version. ${props.link}`,
      'analysis-run-failed': `${where}: analysis FAILED${step} (${image}); the rollout aborts. ${props.link}`,
      'rollout-completed': `${where} completed: ${image} now serves every request. ${props.link}`,
    },
    triggers: {
      'on-rollout-aborted': [{ send: ['rollout-aborted'] }],
      'on-analysis-run-failed': [{ send: ['analysis-run-failed'] }],
      'on-rollout-completed': [{ send: ['rollout-completed'] }],
    },
  };
}

/** The annotations that subscribe an object to every trigger of `catalog` on the webhook service. */
export function subscriptionAnnotations(catalog: NotificationCatalog): Record<string, string> {
  // `notifications.argoproj.io/subscribe.<trigger>.<service>: <recipients>`; a webhook
  // has no recipients, hence the empty value (argo-rollouts docs/features/notifications.md).
  return Object.fromEntries(
    Object.keys(catalog.triggers)
      .sort()
      .map((trigger) => [`notifications.argoproj.io/subscribe.${trigger}.${WEBHOOK_SERVICE}`, '']),
  );
}
