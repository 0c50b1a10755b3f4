import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkManifests, formatFindings, type ManifestObject } from '../../charts/checks';
import { evalTriggerCondition, parseTriggerCondition } from '../../charts/checks/notification-expr';
import { renderGoTemplate, TemplateError } from '../support/go-template';

// Release notifications (issue 17, item 2): every template of the committed ConfigMaps
// renders with sample objects into a JSON body that names the environment, the image,
// the step and a link; the Argo CD triggers fire when they should and only then.
const ROOT = join(__dirname, '..', '..');
const load = (file: string): any => parse(readFileSync(join(ROOT, file), 'utf8'));
const PROMOTED = `ghcr.io/course-companion/course-companion@sha256:${'c'.repeat(64)}`;

interface Template {
  message: string;
  webhook: { releases: { method: string; body: string } };
}
const templatesOf = (configMap: any): [string, Template][] =>
  Object.entries(configMap.data as Record<string, string>)
    .filter(([key]) => key.startsWith('template.'))
    .map(([key, text]) => [key.slice('template.'.length), parse(text) as Template]);

/** Renders message and body, checks the body is the Slack-compatible JSON of the message. */
function render(template: Template, data: unknown): string {
  const message = renderGoTemplate(template.message, data);
  const body = JSON.parse(renderGoTemplate(template.webhook.releases.body, data)) as { text: string };
  expect(template.webhook.releases.method).toBe('POST');
  expect(body).toEqual({ text: message });
  return message;
}

function application(env: string, status: Record<string, unknown>) {
  return {
    metadata: { name: `course-companion-${env}`, namespace: 'argocd' },
    spec: { destination: { namespace: `course-companion-${env}` } },
    status: {
      sync: { revision: 'abc123' },
      summary: { images: [PROMOTED] },
      health: { status: 'Healthy' },
      operationState: null,
      ...status,
    },
  };
}
const operation = (phase: string) => ({ phase, syncResult: { revision: 'abc123' } });

describe('Argo CD notifications', () => {
  const configMap = load('argocd/configmap-argocd-notifications-cm.yaml');
  const context = parse(configMap.data.context as string) as Record<string, string>;
  const app = application('production', { operationState: operation('Succeeded') });

  it.each(templatesOf(configMap))('%s renders a message naming the environment and linking to Argo CD', (_name, template) => {
    const message = render(template, { app, context });
    expect(message).toContain('[course-companion-production]');
    expect(message).toContain('https://argocd.coursecompanionfte.com/applications/argocd/course-companion-production');
  });

  it('names the promoted image', () => {
    const [, promoted] = templatesOf(configMap).find(([name]) => name === 'app-image-promoted')!;
    expect(render(promoted, { app, context })).toContain(PROMOTED);
  });

  const fires = (trigger: string, status: Record<string, unknown>) => {
    const [condition] = parse(configMap.data[`trigger.${trigger}`] as string) as { when: string }[];
    return evalTriggerCondition(condition.when, { app: application('staging', status) });
  };

  it.each([
    ['on-sync-failed', { operationState: operation('Failed') }, true],
    ['on-sync-failed', { operationState: operation('Error') }, true],
    ['on-sync-failed', { operationState: operation('Succeeded') }, false],
    ['on-sync-failed', { operationState: null }, false],
    ['on-health-degraded', { health: { status: 'Degraded' } }, true],
    ['on-health-degraded', { health: { status: 'Progressing' } }, false],
    ['on-deployed', { operationState: operation('Succeeded') }, true],
    ['on-deployed', { operationState: operation('Succeeded'), health: { status: 'Progressing' } }, false],
    ['on-deployed', { operationState: operation('Running') }, false],
  ])('%s with %j: %s', (trigger, status, expected) => {
    expect(fires(trigger, status)).toBe(expected);
  });

  it('deduplicates per synced revision, nil-safe before the first sync', () => {
    const [condition] = parse(configMap.data['trigger.on-deployed'] as string) as { oncePer: string }[];
    expect(() => parseTriggerCondition(condition.oncePer)).not.toThrow();
  });
});

describe.each(['production', 'staging'])('Argo Rollouts notifications in %s', (env) => {
  const configMap = load(`dist/${env}/configmap-argo-rollouts-notification-configmap.yaml`);
  const rollout = load(`dist/${env}/rollout-api.yaml`);
  const canary = rollout.spec.strategy.canary !== undefined;
  const sample = { rollout: { ...rollout, status: { currentStepIndex: 3, phase: 'Degraded' } } };

  it.each(templatesOf(configMap))('%s names the environment, the image, the step and a link', (name, template) => {
    const message = render(template, sample);
    expect(message).toContain(`[${env}] Rollout api`);
    expect(message).toContain(rollout.spec.template.spec.containers[0].image);
    expect(message).toContain(`https://argocd.coursecompanionfte.com/applications/argocd/course-companion-${env}`);
    if (name !== 'rollout-completed') expect(message).toContain(canary ? 'at step 3' : 'before promotion');
  });

  it('subscribes each Rollout to every trigger the ConfigMap defines', () => {
    const triggers = Object.keys(configMap.data as object)
      .filter((k) => k.startsWith('trigger.'))
      .map((k) => k.slice('trigger.'.length));
    const subscribed = Object.keys(rollout.metadata.annotations as object).filter((k) =>
      k.startsWith('notifications.argoproj.io/subscribe.'),
    );
    expect(subscribed.sort()).toEqual(triggers.map((t) => `notifications.argoproj.io/subscribe.${t}.releases`).sort());
  });
});

describe('the template renderer fails a broken template', () => {
  const data = { rollout: { metadata: { name: 'api' } } };
  it.each([
    ['a misspelt field', '{{.rollout.metadata.nam}}'],
    ['an unclosed if', '{{if .rollout}}x'],
    ['a stray end', 'x{{end}}'],
    ['a function outside the subset', '{{.rollout.metadata.name | upper}}'],
    ['an unbalanced brace', '{{.rollout.metadata.name}'],
    ['printing a map', '{{.rollout.metadata}}'],
  ])('%s', (_name, source) => {
    expect(() => renderGoTemplate(source, data)).toThrow(TemplateError);
  });

  it('renders if/else, range and trim markers as Go does', () => {
    expect(renderGoTemplate('{{if .a}}yes{{else}}no{{end}} {{range .l}}<{{.}}>{{end}} x {{- .s -}} y', { a: 0, l: [1, 'b'], s: 'S' })).toBe(
      'no <1><b> xSy',
    );
  });
});

describe('notifications check', () => {
  const rollout = (annotations: Record<string, string>): ManifestObject => ({
    file: 'rollout.yaml',
    object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'api', namespace: 'shop', annotations }, spec: {} },
  });
  const configMap = (data: Record<string, string>): ManifestObject => ({
    file: 'cm.yaml',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argo-rollouts-notification-configmap', namespace: 'shop' }, data },
  });
  const good = {
    'service.webhook.releases': 'url: $releases-webhook-url\n',
    'template.done': 'message: done\nwebhook:\n  releases:\n    method: POST\n    body: "{}"\n',
    'trigger.on-rollout-completed': '- send: [done]\n',
  };
  const findings = (objects: ManifestObject[]) =>
    formatFindings(checkManifests(objects, { only: ['policy'] }).filter((f) => f.rule === 'notifications'));
  const subscribed = rollout({ 'notifications.argoproj.io/subscribe.on-rollout-completed.releases': '' });

  it('accepts a complete configuration', () => {
    expect(findings([configMap(good), subscribed])).toBe('');
  });

  it.each([
    [
      'a subscription to an undefined trigger',
      [configMap(good), rollout({ 'notifications.argoproj.io/subscribe.on-rollout-aborted.releases': '' })],
      'trigger "on-rollout-aborted"',
    ],
    [
      'a subscription to an undefined service',
      [configMap(good), rollout({ 'notifications.argoproj.io/subscribe.on-rollout-completed.slack': '' })],
      'service "slack"',
    ],
    ['a subscription without a ConfigMap', [subscribed], 'no argo-rollouts-notification-configmap'],
    [
      'a trigger sending an undefined template',
      [configMap({ ...good, 'trigger.on-rollout-completed': '- send: [gone]\n' }), subscribed],
      'template "gone"',
    ],
    [
      'a condition that does not parse',
      [
        configMap({ ...good, 'trigger.on-rollout-completed': "- send: [done]\n  when: rollout.status.phase == 'Healthy' and\n" }),
        subscribed,
      ],
      'when: unexpected end',
    ],
    ['a key the controller ignores', [configMap({ ...good, 'templates.done': 'message: x\n' }), subscribed], 'key "templates.done"'],
    [
      'a webhook to an undefined service',
      [configMap({ ...good, 'template.done': 'message: x\nwebhook:\n  other: { method: POST, body: x }\n' }), subscribed],
      'no service.webhook.other',
    ],
  ])('refuses %s', (_name, objects, message) => {
    expect(findings(objects)).toContain(message);
  });
});
