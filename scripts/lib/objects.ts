import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as read back from generated YAML: only the identity is typed. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** An object together with the file it came from, relative to the tree's root. */
export interface LoadedObject {
  readonly key: string;
  readonly file: string;
  readonly object: K8sObject;
}

/** Objects of one manifest tree, keyed by {@link objectKey}. */
export type ObjectSet = ReadonlyMap<string, LoadedObject>;

/**
 * The identity of an object across revisions: API group (not version), kind,
 * namespace and name. The version is left out on purpose so that moving a kind from
 * `v1beta1` to `v1` reads as a change of `apiVersion`, not as a delete plus an add.
 */
export function objectKey(object: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const slash = object.apiVersion.lastIndexOf('/');
  const group = slash === -1 ? 'core' : object.apiVersion.slice(0, slash);
  return `${group}/${object.kind}/${object.metadata.namespace ?? '_cluster'}/${object.metadata.name}`;
}

/** A short human label: `Rollout course-companion-production/api`. */
export function describeObject(object: K8sObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata.name}`;
}

function assertObject(value: unknown, where: string): K8sObject {
  const candidate = value as Partial<K8sObject> | null;
  if (
    !candidate ||
    typeof candidate !== 'object' ||
    typeof candidate.apiVersion !== 'string' ||
    typeof candidate.kind !== 'string' ||
    typeof candidate.metadata?.name !== 'string'
  ) {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return candidate as K8sObject;
}

/** Parses every document of one YAML file; empty documents are skipped. */
export function parseManifest(text: string, file: string): K8sObject[] {
  const objects: K8sObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    objects.push(assertObject(value, `${file} (document ${index + 1})`));
  });
  return objects;
}

/** Builds an {@link ObjectSet} from `[file, text]` pairs; a key seen twice is an error. */
export function objectSetFromFiles(files: Iterable<readonly [string, string]>): ObjectSet {
  const set = new Map<string, LoadedObject>();
  for (const [file, text] of files) {
    for (const object of parseManifest(text, file)) {
      const key = objectKey(object);
      const seen = set.get(key);
      if (seen) throw new Error(`${file}: ${key} is also defined in ${seen.file}`);
      set.set(key, { key, file, object });
    }
  }
  return new Map([...set.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function listYamlFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.sort().flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return listYamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/**
 * Loads the YAML files under `root/<subdir>` for each subdir (e.g. `dist`, `argocd`).
 * File names are reported relative to `root` with forward slashes, as git shows them.
 */
export function loadObjectTree(root: string, subdirs: readonly string[]): ObjectSet {
  const files = subdirs.flatMap((subdir) =>
    listYamlFiles(join(root, subdir)).map(
      (path) => [relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')] as const,
    ),
  );
  return objectSetFromFiles(files);
}
