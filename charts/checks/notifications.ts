/**
 * Release notifications (issue 17, item 2), checked as strictly as the rest: the
 * notifications ConfigMaps of Argo CD and Argo Rollouts have only the keys
 * notifications-engine reads (`context`, `service.<type>.<name>`, `template.<name>`,
 * `trigger.<name>`), each a YAML document of the expected shape; every trigger sends
 * templates that exist, its `when` parses (notification-expr.ts); every subscription
 * annotation names a trigger and a service of the ConfigMap in its namespace.
 */
import { parse } from 'yaml';
import { describeObject, namespaceOf, type ManifestObject } from '../manifest';
import { parseTriggerCondition } from './notification-expr';
import type { Finding } from './types';

const CONFIG_MAPS = new Set(['argocd-notifications-cm', 'argo-rollouts-notification-configmap']);
const SUBSCRIBE = /^notifications\.argoproj\.io\/subscribe\.([a-z0-9-]+)\.([a-z0-9-]+)$/;
const KEY = /^(context|service\.[a-z]+(\.[a-z0-9-]+)?|template\.[a-z0-9-]+|trigger\.[a-z0-9-]+)$/;

const finding = (file: string, message: string): Finding => ({ check: 'policy', rule: 'notifications', file, message });

interface Config {
  readonly templates: Set<string>;
  readonly triggers: Set<string>;
  readonly services: Set<string>;
}

const read = (text: unknown): unknown => (typeof text === 'string' ? parse(text) : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function configOf(data: Record<string, unknown>): Config {
  const names = (prefix: string) =>
    new Set(
      Object.keys(data)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length)),
    );
  const services = new Set([...names('service.')].map((s) => s.split('.').at(-1)!));
  return { templates: names('template.'), triggers: names('trigger.'), services };
}

function templateProblems(name: string, value: unknown, config: Config): string[] {
  if (!isRecord(value) || typeof value.message !== 'string') return [`template.${name}: expected a map with a "message" string`];
  const webhooks = value.webhook === undefined ? {} : value.webhook;
  if (!isRecord(webhooks)) return [`template.${name}: webhook must map service names to { method, body }`];
  return Object.entries(webhooks).flatMap(([service, spec]) => [
    ...(config.services.has(service) ? [] : [`template.${name}: webhook "${service}" is no service.webhook.${service}`]),
    ...(isRecord(spec) && typeof spec.body === 'string' && ['POST', 'PUT', 'PATCH'].includes(String(spec.method))
      ? []
      : [`template.${name}: webhook "${service}" needs method POST, PUT or PATCH and a body`]),
  ]);
}

function triggerProblems(name: string, value: unknown, config: Config): string[] {
  if (!Array.isArray(value) || value.length === 0) return [`trigger.${name}: expected a list of conditions`];
  return value.flatMap((condition: unknown, i) => {
    const at = `trigger.${name}[${i}]`;
    if (!isRecord(condition) || !Array.isArray(condition.send) || condition.send.length === 0)
      return [`${at}: expected "send" with at least one template`];
    const unknown = Object.keys(condition).filter((k) => !['description', 'when', 'oncePer', 'send'].includes(k));
    const problems = unknown.map((k) => `${at}: unknown field "${k}"`);
    for (const sent of condition.send)
      if (!config.templates.has(String(sent))) problems.push(`${at}: sends template "${String(sent)}", which is not defined`);
    for (const field of ['when', 'oncePer'] as const) {
      if (condition[field] === undefined) continue;
      try {
        parseTriggerCondition(String(condition[field]));
      } catch (error) {
        problems.push(`${at}.${field}: ${(error as Error).message}`);
      }
    }
    return problems;
  });
}

function configMapProblems(data: Record<string, unknown>): string[] {
  const config = configOf(data);
  return Object.entries(data).flatMap(([key, text]) => {
    if (!KEY.test(key)) return [`key "${key}" is not one notifications-engine reads`];
    let value: unknown;
    try {
      value = read(text);
    } catch (error) {
      return [`${key}: not YAML (${(error as Error).message.split('\n')[0]})`];
    }
    if (key.startsWith('template.')) return templateProblems(key.slice('template.'.length), value, config);
    if (key.startsWith('trigger.')) return triggerProblems(key.slice('trigger.'.length), value, config);
    return isRecord(value) ? [] : [`${key}: expected a map`];
  });
}

export function checkNotifications(objects: readonly ManifestObject[]): Finding[] {
  const configs = new Map<string, Config>();
  const findings: Finding[] = [];
  for (const { file, object } of objects) {
    if (object?.kind !== 'ConfigMap' || !CONFIG_MAPS.has(object.metadata?.name)) continue;
    const data = isRecord(object.data) ? object.data : {};
    configs.set(`${namespaceOf(object)}/${String(object.metadata.name)}`, configOf(data));
    findings.push(...configMapProblems(data).map((p) => finding(file, `${describeObject(object)}: ${p}`)));
  }
  for (const { file, object } of objects) {
    const subscriptions = Object.keys(object?.metadata?.annotations ?? {})
      .map((k) => SUBSCRIBE.exec(k))
      .filter((m) => m !== null);
    if (subscriptions.length === 0) continue;
    const configName = object.kind === 'Application' ? 'argocd-notifications-cm' : 'argo-rollouts-notification-configmap';
    const config = configs.get(`${namespaceOf(object)}/${configName}`);
    for (const [annotation, trigger, service] of subscriptions) {
      if (!config) findings.push(finding(file, `${describeObject(object)}: ${annotation} but no ${configName} in its namespace`));
      else if (!config.triggers.has(trigger))
        findings.push(finding(file, `${describeObject(object)}: subscribes to trigger "${trigger}", which ${configName} does not define`));
      else if (!config.services.has(service))
        findings.push(finding(file, `${describeObject(object)}: subscribes service "${service}", which ${configName} does not define`));
    }
  }
  return findings;
}
