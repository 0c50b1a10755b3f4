/**
 * What the three configuration files of the generator share (charts/environments/*.yaml,
 * charts/gitops.yaml, charts/cluster.yaml): reading YAML strictly (duplicate keys are an
 * error), validating it with a zod schema, and one error that names the file, each bad
 * field and the rule, phrased as "expected X, got Y".
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

export interface ConfigProblem {
  /** Dotted field path, or a YAML position, or '' for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/** A bad configuration file; subclasses say which kind (environment, gitops, cluster). */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
    kind: string,
  ) {
    super(`${file}: invalid ${kind} file\n` + problems.map((p) => `  - ${p.path || '(top level)'}: ${p.message}`).join('\n'));
    this.name = 'ConfigFileError';
  }
}

type ErrorFactory = (file: string, problems: readonly ConfigProblem[]) => ConfigFileError;

/** The file's YAML as plain data; unreadable files and YAML errors become `fail`'s error. */
export function readYamlFile(file: string, fail: ErrorFactory): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(file, [{ path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw fail(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: `not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  return doc.toJS();
}

/** `data` validated by `schema`, or `fail`'s error listing every issue. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, data: unknown, file: string, fail: ErrorFactory): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) {
    throw fail(
      file,
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: describeIssue(issue, data) })),
    );
  }
  return result.data as unknown;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** One line per issue, phrased as "expected X, got Y". */
export function describeIssue(issue: z.ZodIssue, data: unknown): string {
  const got = valueAt(data, issue.path);
  const isZodDefault = /^(Number|String|Array) must/.test(issue.message);
  switch (issue.code) {
    case z.ZodIssueCode.unrecognized_keys:
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: expected only the keys the schema defines`;
    case z.ZodIssueCode.invalid_type:
      return issue.received === 'undefined'
        ? `required: expected ${issue.expected}`
        : issue.received === 'null'
          ? `expected ${issue.expected}, got null`
          : `expected ${issue.expected}, got ${issue.received} ${shown(got)}`;
    case z.ZodIssueCode.too_small:
    case z.ZodIssueCode.too_big: {
      const small = issue.code === z.ZodIssueCode.too_small;
      const bound = small ? (issue as z.ZodTooSmallIssue).minimum : (issue as z.ZodTooBigIssue).maximum;
      const inclusive = issue.inclusive;
      const rule = isZodDefault
        ? issue.type === 'array' || issue.type === 'string'
          ? `${small ? 'at least' : 'at most'} ${String(bound)} ${issue.type === 'array' ? 'item(s)' : 'character(s)'}`
          : `a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${String(bound)}`
        : issue.message;
      return `expected ${rule}, got ${issue.type === 'array' ? `${(got as unknown[]).length} item(s)` : shown(got)}`;
    }
    case z.ZodIssueCode.invalid_enum_value:
      return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, got ${shown(issue.received)}`;
    case z.ZodIssueCode.invalid_literal:
      return `expected ${JSON.stringify(issue.expected)}, got ${shown(got)}`;
    case z.ZodIssueCode.invalid_union_discriminator:
      return `expected ${issue.message}, got ${shown(got)}`;
    default: {
      const rule = issue.message.startsWith('expected') ? issue.message.slice('expected '.length) : issue.message;
      return got === undefined || typeof got === 'object' ? `expected ${rule}` : `expected ${rule}, got ${shown(got)}`;
    }
  }
}
