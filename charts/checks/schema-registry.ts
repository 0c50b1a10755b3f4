import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cachedText, contentHash } from './disk-cache';
import { strictSchema } from './strict-schema';
import { groupOf } from '../manifest';

type Schema = Record<string, unknown>;

export interface SchemaSources {
  /** Swagger 2.0 document of the Kubernetes API. */
  readonly swaggerFile: string;
  /** Directory of CustomResourceDefinition YAML files. */
  readonly crdDir: string;
}

export const defaultSchemaSources: SchemaSources = {
  swaggerFile: join(__dirname, '..', 'schemas', 'kubernetes-1.36-swagger.json'),
  crdDir: join(__dirname, '..', 'crds'),
};

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * The API server accepts a quantity as a JSON number or a string in this grammar
 * (k8s.io/apimachinery/pkg/api/resource); Swagger only says "string", which would
 * let `512MB` through and reject `cpu: 1`.
 */
export const QUANTITY_PATTERN = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+))?$';
const QUANTITY_SCHEMA = { anyOf: [{ type: 'number' }, { type: 'string', pattern: QUANTITY_PATTERN }] };

interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: unknown } }[] };
}

/**
 * Finds the strict JSON Schema of an apiVersion + kind, from the Kubernetes Swagger or a
 * CRD. Everything is loaded on first need: parsing all CRDs with the `yaml` package
 * takes seconds, so a kind's CRD is parsed only when an object of that kind shows up,
 * and the parsed form is cached on disk by content hash (disk-cache.ts).
 */
export class SchemaRegistry {
  private swagger?: { definitions: Record<string, Schema> };
  private swaggerKinds?: Map<string, string>;
  private crdFiles?: Map<string, string>;
  private readonly strictDefinitions = new Map<string, Schema>();

  constructor(private readonly sources: SchemaSources = defaultSchemaSources) {}

  /** A self-contained strict schema, or undefined when no schema knows this kind. */
  schemaFor(apiVersion: string, kind: string): Schema | undefined {
    const group = groupOf(apiVersion);
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    const definition = this.kubernetesKinds().get(gvkKey(group, version, kind));
    if (definition !== undefined) return this.withDefinitions({ $ref: `#/definitions/${definition}` }, [definition]);
    const crdFile = this.crdFilesByKind().get(`${group}/${kind}`);
    return crdFile === undefined ? undefined : this.crdSchema(crdFile, version);
  }

  /**
   * The CRD's own openAPIV3Schema of a served version, as published (defaults and CEL
   * rules included), or undefined when no vendored CRD defines the kind.
   */
  crdOpenApiSchema(apiVersion: unknown, kind: unknown): Schema | undefined {
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
    const crdFile = this.crdFilesByKind().get(`${groupOf(apiVersion)}/${kind}`);
    return crdFile === undefined ? undefined : servedSchema(readCrd(crdFile), apiVersion.slice(apiVersion.indexOf('/') + 1));
  }

  private crdSchema(file: string, version: string): Schema | undefined {
    const openApi = servedSchema(readCrd(file), version);
    if (openApi === undefined) return undefined;
    const schema = strictSchema(openApi);
    // CRDs leave metadata as a bare `type: object`; the API server applies ObjectMeta.
    // apiVersion and kind are always accepted too, whether or not the CRD lists them
    // (hand-written CRDs such as policy-controller's ClusterImagePolicy do not).
    const properties = (schema.properties ?? {}) as Schema;
    schema.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      ...properties,
      metadata: { $ref: `#/definitions/${OBJECT_META}` },
    };
    return this.withDefinitions(schema, [OBJECT_META]);
  }

  /** Attaches the strict form of every definition reachable from `roots`. */
  private withDefinitions(schema: Schema, roots: string[]): Schema {
    const definitions: Record<string, Schema> = {};
    const pending = [...roots];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (name in definitions) continue;
      const definition = this.strictDefinition(name);
      definitions[name] = definition;
      for (const ref of refsIn(definition)) pending.push(ref);
    }
    return { ...schema, definitions };
  }

  private strictDefinition(name: string): Schema {
    let definition = this.strictDefinitions.get(name);
    if (definition === undefined) {
      const source = this.kubernetes().definitions[name];
      if (source === undefined) throw new Error(`Kubernetes schema has no definition ${name}`);
      definition = name === QUANTITY ? QUANTITY_SCHEMA : strictSchema(source);
      this.strictDefinitions.set(name, definition);
    }
    return definition;
  }

  private kubernetes(): { definitions: Record<string, Schema> } {
    this.swagger ??= JSON.parse(readFileSync(this.sources.swaggerFile, 'utf8'));
    return this.swagger as { definitions: Record<string, Schema> };
  }

  private kubernetesKinds(): Map<string, string> {
    if (this.swaggerKinds === undefined) {
      this.swaggerKinds = new Map();
      for (const [name, definition] of Object.entries(this.kubernetes().definitions)) {
        const gvks = (definition['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
        for (const { group, version, kind } of gvks) this.swaggerKinds.set(gvkKey(group, version, kind), name);
      }
    }
    return this.swaggerKinds;
  }

  /** `group/kind` → CRD file, read from the text (controller-gen layout) to avoid parsing. */
  private crdFilesByKind(): Map<string, string> {
    if (this.crdFiles === undefined) {
      this.crdFiles = new Map();
      for (const entry of readdirSync(this.sources.crdDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()) {
        const file = join(this.sources.crdDir, entry);
        const text = readFileSync(file, 'utf8');
        const group = /^ {2}group: *["']?([^"'\s]+)/m.exec(text)?.[1];
        const kind = /^ {4}kind: *["']?([^"'\s]+)/m.exec(text)?.[1];
        if (group !== undefined && kind !== undefined) {
          this.crdFiles.set(`${group}/${kind}`, file);
        } else {
          const crd = readCrd(file);
          this.crdFiles.set(`${crd.spec.group}/${crd.spec.names.kind}`, file);
        }
      }
    }
    return this.crdFiles;
  }
}

function servedSchema(crd: Crd, version: string): Schema | undefined {
  const served = crd.spec.versions.find((v) => v.name === version && v.served !== false);
  return served?.schema?.openAPIV3Schema as Schema | undefined;
}

function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => refsIn(item, found));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
        found.push(value.slice('#/definitions/'.length));
      } else refsIn(value, found);
    }
  }
  return found;
}

const parsedCrds = new Map<string, Crd>();

/** Parses a CRD file through the disk cache: JSON.parse is ~50× faster than YAML. */
function readCrd(file: string): Crd {
  const text = readFileSync(file, 'utf8');
  const hash = contentHash(text);
  let crd = parsedCrds.get(hash);
  if (crd === undefined) {
    const json = cachedText(`crd-${hash}.json`, () => JSON.stringify(parse(text, { maxAliasCount: -1 })));
    crd = JSON.parse(json) as Crd;
    if (crd?.spec?.versions === undefined) throw new Error(`${file} is not a CustomResourceDefinition`);
    parsedCrds.set(hash, crd);
  }
  return crd;
}
