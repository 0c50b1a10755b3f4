/**
 * The validation rules written in CEL inside the vendored CRDs
 * (`x-kubernetes-validations`), evaluated the way the API server does when an object is
 * created: on the object after structural defaulting, each rule with `self` bound to the
 * value of the schema node that carries it. The JSON Schema check (schema.ts) cannot see
 * these rules, and the Gateway API puts most of its semantics in them (178 in HTTPRoute:
 * a filter's type must match its field, paths start with "/", listener names are unique).
 *
 * Followed, from kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver:
 * - pkg/apiserver/schema/defaulting/algorithm.go `Default`: a missing property with a
 *   `default` gets a copy of it, then defaulting continues inside it (and inside arrays
 *   and additionalProperties);
 * - pkg/apiserver/schema/cel/validation.go `Validate`: rules of a node run with `self`
 *   set to the node's value, only where the value is present; a rule that errors at run
 *   time rejects the object just like one that returns false; a transition rule (one
 *   that reads `oldSelf`) does not run on create;
 * - the message is `messageExpression`'s value, else `message`, else "failed rule: …".
 */
import { evaluate } from '@marcbachmann/cel-js';
import type { SchemaRegistry } from './schema-registry';
import { describeObject, type ManifestObject } from '../manifest';
import { type Finding } from './types';

type Schema = Record<string, any>;

interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
}

/** Applies the schema's `default`s to a copy of `value`, as the API server does before validating. */
export function withDefaults(value: unknown, schema: Schema | undefined): unknown {
  if (schema === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withDefaults(item, schema.items));
  const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    if (result[name] === undefined && child.default !== undefined) result[name] = JSON.parse(JSON.stringify(child.default)); // JSON, like every default
    if (result[name] !== undefined) result[name] = withDefaults(result[name], child);
  }
  if (typeof schema.additionalProperties === 'object') {
    for (const name of Object.keys(result)) {
      if (!(name in (schema.properties ?? {}))) result[name] = withDefaults(result[name], schema.additionalProperties);
    }
  }
  return result;
}

/** Every failed rule under `schema`, as `path: message`. */
export function failedRules(value: unknown, schema: Schema | undefined, path = ''): string[] {
  if (schema === undefined || value === undefined || value === null) return [];
  const failures: string[] = [];
  for (const rule of (schema['x-kubernetes-validations'] ?? []) as ValidationRule[]) {
    if (/\boldSelf\b/.test(rule.rule)) continue;
    const failure = evaluateRule(rule, value);
    if (failure !== undefined) failures.push(`${path.replace(/^\./, '') || '(root)'}${rule.fieldPath ?? ''}: ${failure}`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => failures.push(...failedRules(item, schema.items, `${path}[${i}]`)));
  } else if (typeof value === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = properties[name] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      failures.push(...failedRules(child, childSchema, `${path}.${name}`));
    }
  }
  return failures;
}

/**
 * `has(e.f)` where `e` holds an index (`has(self.matches[0].path)`, as HTTPRoute's rules
 * write it) is valid CEL, but @marcbachmann/cel-js 8 accepts has() only on a chain of
 * field selections from a variable. On the JSON maps a rule sees, `has(e.f)` means
 * exactly `'f' in e`, so that is what such a call is rewritten to.
 */
export function portableRule(rule: string): string {
  return rule.replace(/has\(([^()]*\[[^()]*)\.([A-Za-z_][A-Za-z0-9_]*)\)/g, "('$2' in $1)");
}

function evaluateRule(rule: ValidationRule, self: unknown): string | undefined {
  let passed: unknown;
  try {
    passed = evaluate(portableRule(rule.rule), { self });
  } catch (error) {
    return `rule "${rule.rule}" could not be evaluated: ${(error as Error).message.split('\n')[0]}`;
  }
  if (passed === true) return undefined;
  if (rule.messageExpression !== undefined) {
    try {
      return String(evaluate(rule.messageExpression, { self }));
    } catch {
      // The API server falls back to `message` when the message expression fails.
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

/** Runs the CEL rules of every object whose kind comes from a vendored CRD. */
export class CelRuleChecker {
  constructor(private readonly registry: SchemaRegistry) {}

  check(objects: readonly ManifestObject[]): Finding[] {
    return objects.flatMap(({ file, object }) => {
      if (object === null || typeof object !== 'object') return [];
      const schema = this.registry.crdOpenApiSchema(object.apiVersion, object.kind);
      if (schema === undefined) return [];
      return failedRules(withDefaults(object, schema), schema).map((message): Finding => ({
        check: 'schema',
        rule: 'cel',
        file,
        message: `${describeObject(object)}: ${message}`,
      }));
    });
  }
}
