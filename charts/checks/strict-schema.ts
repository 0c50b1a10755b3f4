/**
 * Turns the published Kubernetes and CRD schemas into strict JSON Schemas for ajv, as
 * charts/schemas/PROVENANCE.md prescribes. The published ones leave objects open
 * (unknown fields pass), which is exactly the mistake a typo in a construct makes.
 *
 * - `x-kubernetes-*` keys are dropped (ajv does not know them);
 * - `x-kubernetes-int-or-string` and Swagger's `format: int-or-string` become
 *   "integer or string";
 * - every object schema with `properties` and no `x-kubernetes-preserve-unknown-fields`
 *   gets `additionalProperties: false`.
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
