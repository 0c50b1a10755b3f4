import Ajv, { _, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import { version as ajvVersion } from 'ajv/package.json';
import { CelRuleChecker } from './cel';
import { cachedText, contentHash } from './disk-cache';
import { QUANTITY_PATTERN, SchemaRegistry } from './schema-registry';
import { describeObject, type ManifestObject } from '../manifest';
import { type Finding } from './types';

/** Formats the Kubernetes schemas use that ajv-formats does not define. */
const KUBERNETES_ONLY_FORMATS = ['int-or-string', 'quantity'];

/** Bump when the validator code generation changes in a way the schema hash misses. */
const VALIDATOR_CACHE_VERSION = '1';

/**
 * Validates objects against the strict Kubernetes/CRD schemas. A validator is built on
 * first use per apiVersion + kind and kept. Compiling one is the expensive part (the
 * Rollout schema embeds a whole pod template: seconds on a busy 2-core machine), so the
 * generated validator code is also cached on disk, keyed by a hash of the schema, and
 * later runs and test workers load it in milliseconds.
 */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction | undefined>();
  private readonly celRules: CelRuleChecker;

  constructor(private readonly registry = new SchemaRegistry()) {
    this.celRules = new CelRuleChecker(registry);
    // strict: false is about the *schemas* (CRDs use keywords ajv's strict mode flags,
    // such as `nullable` beside `anyOf`); the data is held strictly by the schemas.
    this.ajv = new Ajv({
      allErrors: true,
      strict: false,
      // Emit code that stands alone (see ajv "standalone validation code"), formats included.
      code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
    });
    addFormats(this.ajv);
    for (const format of KUBERNETES_ONLY_FORMATS) this.ajv.addFormat(format, true);
  }

  check(objects: readonly ManifestObject[]): Finding[] {
    return objects.flatMap((manifest) => this.checkOne(manifest));
  }

  checkOne({ file, object }: ManifestObject): Finding[] {
    const finding = (rule: string, message: string): Finding => ({ check: 'schema', rule, file, message });
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      return [finding('not-an-object', 'document is not a Kubernetes object (expected a mapping)')];
    }
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      return [finding('no-kind', `${describeObject(object)}: apiVersion and kind must both be strings`)];
    }
    const validate = this.validatorFor(apiVersion, kind);
    if (validate === undefined) {
      return [finding('unknown-kind', `${describeObject(object)}: no schema for apiVersion ${apiVersion} kind ${kind}`)];
    }
    const findings: Finding[] = [];
    if (typeof object.metadata?.name !== 'string' || object.metadata.name === '') {
      findings.push(finding('no-name', `${describeObject(object)}: metadata.name is required`));
    }
    if (!validate(object)) {
      for (const message of describeErrors(validate.errors ?? [])) {
        findings.push(finding('invalid', `${describeObject(object)}: ${message}`));
      }
    } else {
      // The CRDs' CEL rules assume a structurally valid object, as the API server's do.
      findings.push(...this.celRules.check([{ file, object }]));
    }
    return findings;
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    if (!this.validators.has(key)) {
      const schema = this.registry.schemaFor(apiVersion, kind);
      this.validators.set(key, schema === undefined ? undefined : this.loadOrCompile(schema));
    }
    return this.validators.get(key);
  }

  private loadOrCompile(schema: Record<string, unknown>): ValidateFunction {
    const hash = contentHash(JSON.stringify(schema), ajvVersion, VALIDATOR_CACHE_VERSION);
    let compiled: ValidateFunction | undefined;
    const code = cachedText(`validator-${hash}.js`, () => {
      this.registerUnknownFormats(schema);
      compiled = this.ajv.compile(schema);
      return standaloneCode(this.ajv, compiled);
    });
    if (compiled !== undefined) return compiled;
    const module = { exports: {} as { default?: ValidateFunction } };
    // The cached file is code we generated from our own schemas; it needs only ajv's
    // runtime helpers and ajv-formats, resolved from this module.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: our own generated validator
    new Function('require', 'module', 'exports', code)(require, module, module.exports);
    return (module.exports.default ?? module.exports) as ValidateFunction;
  }

  /**
   * A format no one registered must not crash compilation (a future CRD may use one):
   * accept any value, the `type` beside it still holds.
   */
  private registerUnknownFormats(schema: unknown): void {
    if (Array.isArray(schema)) schema.forEach((item) => this.registerUnknownFormats(item));
    else if (schema !== null && typeof schema === 'object') {
      const format = (schema as { format?: unknown }).format;
      if (typeof format === 'string' && this.ajv.formats[format] === undefined) this.ajv.addFormat(format, true);
      Object.values(schema).forEach((child) => this.registerUnknownFormats(child));
    }
  }
}

/**
 * One message per problem. ajv reports a failed anyOf/oneOf as the anyOf error plus
 * every arm's own error; they are folded into "must be integer or string".
 */
export function describeErrors(errors: readonly ErrorObject[]): string[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const armOf = (error: ErrorObject) =>
    alternatives.find((a) => a !== error && a.instancePath === error.instancePath && error.schemaPath.startsWith(`${a.schemaPath}/`));
  const messages = new Set<string>();
  for (const error of errors) {
    if (armOf(error) !== undefined) continue;
    if (alternatives.includes(error)) {
      const arms = errors.filter((e) => armOf(e) === error).map((e) => formatError(e).slice(jsonPath(e.instancePath).length + 1));
      messages.add(
        `${jsonPath(error.instancePath)} ${arms.length > 0 ? [...new Set(arms)].join(' or ') : 'matches none of the allowed shapes'}`,
      );
    } else messages.add(formatError(error));
  }
  return [...messages];
}

function formatError(error: ErrorObject): string {
  const path = jsonPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      return `unknown field ${jsonPath(`${error.instancePath}/${escapePointer(field)}`)}`;
    }
    case 'required': {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return `${jsonPath(`${error.instancePath}/${escapePointer(field)}`)} is required`;
    }
    case 'enum':
      return `${path} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      if ((error.params as { pattern: string }).pattern === QUANTITY_PATTERN) return `${path} must be a quantity such as 512Mi or 250m`;
      return `${path} ${error.message ?? 'is invalid'}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function jsonPath(pointer: string): string {
  if (pointer === '') return '(the object)';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment, index) => {
      if (/^\d+$/.test(segment)) return `[${segment}]`;
      const name = /^[A-Za-z_$][\w$-]*$/.test(segment) ? segment : `[${JSON.stringify(segment)}]`;
      return index === 0 || name.startsWith('[') ? name : `.${name}`;
    })
    .join('');
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
