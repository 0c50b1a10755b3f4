import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ManifestObject } from './types';

/**
 * Every object in every `.yaml`/`.yml` file under `dir` (recursively), in file name
 * order. `file` is relative to `dir` unless `relativeTo` says otherwise. A file that is
 * not valid YAML throws naming the file: a broken file must never pass as "no objects".
 */
export function loadManifestDir(dir: string, relativeTo: string = dir): ManifestObject[] {
  return yamlFilesUnder(dir).flatMap((path) => loadManifestFile(path, relative(relativeTo, path)));
}

export function loadManifestFile(path: string, file: string = path): ManifestObject[] {
  return parseManifests(readFileSync(path, 'utf8'), file);
}

/** Parses a (multi-document) YAML text; empty documents are skipped. */
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

function yamlFilesUnder(dir: string): string[] {
  const paths: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) paths.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(entry)) paths.push(path);
  }
  return paths;
}
