/**
 * Turns the published Kubernetes and CRD schemas into strict JSON Schemas for ajv, as
 * charts/schemas/PROVENANCE.md prescribes. The published ones leave objects open
 * (unknown fields pass), which is exactly the mistake a typo in a construct makes.
 *
 * - `x-kubernetes-*` keys are dropped (ajv does not know them);
 * - `x-kubernetes-int-or-string` and Swagger's `format: int-or-string` become
 *   "integer or string";
 * - every object schema with `properties` and no `x-kubernetes-preserve-unknown-fields`
 *   gets `additionalProperties: false`;
 * - `pattern`s in Go (RE2) syntax that JavaScript lacks are translated (jsPattern).
 */

type Schema = Record<string, unknown>;

const COMBINATORS = ['anyOf', 'oneOf', 'allOf'] as const;
const INTEGER_OR_STRING = [{ type: 'integer' }, { type: 'string' }];

export function strictSchema(schema: unknown): Schema {
  return strictNode(schema, false) as Schema;
}

/**
 * `inBranch`: the node is an arm of anyOf/oneOf/allOf/not. Such arms list a few
 * properties only to constrain them (the Gateway API's address `oneOf` does), so
 * closing them would reject the fields their parent declares.
 */
function strictNode(node: unknown, inBranch: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => strictNode(item, inBranch));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const result: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-')) continue;
    switch (key) {
      case 'properties':
      case 'patternProperties':
      case 'definitions':
        result[key] = mapValues(value, (child) => strictNode(child, false));
        break;
      case 'items':
      case 'additionalProperties':
        result[key] = strictNode(value, false);
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
      case 'not':
        result[key] = strictNode(value, true);
        break;
      case 'pattern':
        result[key] = typeof value === 'string' ? jsPattern(value) : value;
        break;
      default:
        // enum, default, example, required…: data, copied as is.
        result[key] = value;
    }
  }
  if (source['x-kubernetes-int-or-string'] === true || source.format === 'int-or-string') {
    delete result.type;
    delete result.format;
    if (!COMBINATORS.some((combinator) => combinator in result)) result.anyOf = INTEGER_OR_STRING;
  }
  const isObject = result.type === 'object' || (result.type === undefined && !inBranch);
  if (
    isObject &&
    result.properties !== undefined &&
    result.additionalProperties === undefined &&
    source['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    result.additionalProperties = false;
  }
  return result;
}

function mapValues(value: unknown, map: (child: unknown) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, map(child)]));
}

/**
 * CRD patterns are Go RE2 expressions. The one construct in the vendored schemas that
 * JavaScript cannot compile is a leading `(?i)` (prometheus-operator's
 * `^(?i)(abort|warn)?$`); it is rewritten as explicit case alternatives so the rule
 * still holds. Any other untranslatable pattern throws, naming it, instead of being
 * silently dropped.
 */
export function jsPattern(pattern: string): string {
  const caseless = /^(\^?)\(\?i\)/.exec(pattern);
  const translated = caseless === null ? pattern : caseless[1] + bothCases(pattern.slice(caseless[0].length));
  try {
    new RegExp(translated, 'u');
  } catch (error) {
    throw new Error(`schema pattern ${JSON.stringify(pattern)} is not valid in JavaScript: ${(error as Error).message}`);
  }
  return translated;
}

/** `ab[c-d]` → `[aA][bB][c-dC-D]`: every letter matches either case; escapes stay. */
function bothCases(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      out += char + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
      const range = /^([a-zA-Z])-([a-zA-Z])/.exec(pattern.slice(i));
      if (range !== null) {
        out += `${range[0]}${swapCase(range[1])}-${swapCase(range[2])}`;
        i += 2;
      } else out += /[a-zA-Z]/.test(char) ? char + swapCase(char) : char;
    } else if (char === '[') {
      inClass = true;
      out += char;
    } else out += /[a-zA-Z]/.test(char) ? `[${char}${swapCase(char)}]` : char;
  }
  return out;
}

function swapCase(char: string): string {
  return char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
}
