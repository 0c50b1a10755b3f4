import { isDeepStrictEqual } from 'node:util';
import { isPlainObject } from '../../charts/manifest';

/** One leaf that differs between two values. `undefined` means "absent on that side". */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec` + `template` → `spec.template`; keys that are not identifiers are quoted. */
export function childPath(parent: string, key: string): string {
  const segment = IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return segment.startsWith('[') ? segment : segment;
  return segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
}

/**
 * Kubernetes lists of named things (containers, env, ports, volumes) are matched by
 * `name`, and lists of kinds (an AppProject's resource allow-lists) by `group/kind`, so
 * inserting an item reads as one addition rather than every later item "changing".
 * Lists without unique identities are compared by position.
 */
function identityOf(item: unknown): string | undefined {
  if (!isPlainObject(item)) return undefined;
  if (typeof item.name === 'string') return `name=${item.name}`;
  if (typeof item.kind === 'string' && item.name === undefined) {
    return `kind=${typeof item.group === 'string' && item.group !== '' ? `${item.group}/` : ''}${item.kind}`;
  }
  return undefined;
}

function namesOf(list: readonly unknown[]): string[] | undefined {
  const names = list.map(identityOf);
  if (names.some((name) => name === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

function diffInto(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) diffInto(before[key], after[key], childPath(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeNames = namesOf(before);
    const afterNames = namesOf(after);
    if (beforeNames && afterNames && (before.length > 0 || after.length > 0)) {
      const byName = (list: readonly unknown[], names: string[]) => new Map(names.map((name, index) => [name, list[index]]));
      const beforeByName = byName(before, beforeNames);
      const afterByName = byName(after, afterNames);
      const order = [...afterNames, ...beforeNames.filter((name) => !afterByName.has(name))];
      for (const name of order) {
        diffInto(beforeByName.get(name), afterByName.get(name), `${path}[${name}]`, out);
      }
      return;
    }
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
      diffInto(before[index], after[index], `${path}[${index}]`, out);
    }
    return;
  }
  out.push({
    path: path === '' ? '(root)' : path,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  });
}

/** Every leaf path at which `before` and `after` differ, in a stable order. */
export function diffFields(before: unknown, after: unknown, path = ''): FieldChange[] {
  const out: FieldChange[] = [];
  diffInto(before, after, path, out);
  return out;
}

/** Reads `value.a.b.c` without throwing on missing links. */
export function getIn(value: unknown, keys: readonly (string | number)[]): unknown {
  let current: unknown = value;
  for (const key of keys) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}
