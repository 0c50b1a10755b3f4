/**
 * Reading manifests: YAML text or files into {@link ManifestObject}s (the checks take
 * anything and judge it), and into an {@link ObjectSet} keyed by identity (diff and
 * promote compare revisions, so every object must have one, and only one).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assertK8sObject, objectKey, type LoadedObject, type ManifestObject, type ObjectSet } from './object';

/**
 * Parses a (multi-document) YAML text; empty documents are skipped. A text that is
 * not valid YAML throws naming the file: a broken file must never pass as "no objects".
 */
export function parseManifests(text: string, file: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: not valid YAML: ${document.errors[0].message}`);
    }
    const object = document.toJS();
    if (object !== null && object !== undefined) objects.push({ file, object });
  }
  return objects;
}

export function loadManifestFile(path: string, file: string = path): ManifestObject[] {
  return parseManifests(readFileSync(path, 'utf8'), file);
}

/**
 * Every object in every `.yaml`/`.yml` file under `dir` (recursively), in file name
 * order. `file` is relative to `dir` unless `relativeTo` says otherwise.
 */
export function loadManifestDir(dir: string, relativeTo: string = dir): ManifestObject[] {
  return yamlFilesUnder(dir).flatMap((path) => loadManifestFile(path, relative(relativeTo, path)));
}

/** Builds an {@link ObjectSet} from `[file, text]` pairs; a key seen twice is an error. */
export function objectSetFromFiles(files: Iterable<readonly [string, string]>): ObjectSet {
  const set = new Map<string, LoadedObject>();
  for (const [file, text] of files) {
    parseManifests(text, file).forEach(({ object: value }, index) => {
      const object = assertK8sObject(value, `${file} (document ${index + 1})`);
      const key = objectKey(object);
      const seen = set.get(key);
      if (seen) throw new Error(`${file}: ${key} is also defined in ${seen.file}`);
      set.set(key, { key, file, object });
    });
  }
  return new Map([...set.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Loads the YAML files under `root/<subdir>` for each subdir (e.g. `dist`, `argocd`);
 * a subdir that does not exist holds no objects. File names are reported relative to
 * `root` with forward slashes, as git shows them.
 */
export function loadObjectTree(root: string, subdirs: readonly string[]): ObjectSet {
  const files = subdirs
    .map((subdir) => join(root, subdir))
    .filter((dir) => existsSync(dir))
    .flatMap(yamlFilesUnder)
    .map((path) => [relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')] as const);
  return objectSetFromFiles(files);
}

function yamlFilesUnder(dir: string): string[] {
  const paths: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) paths.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(entry)) paths.push(path);
  }
  return paths;
}
