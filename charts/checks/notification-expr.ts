/**
 * The expr-lang subset of notification trigger conditions (`when`), parsed and
 * evaluated over the notified object, e.g.
 * `app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']`.
 *
 * Kept beside charts/checks/argo-expr.ts, not in it: that model's values are a
 * Prometheus result (numbers and vectors), these are a Kubernetes object's fields
 * (strings, maps, nil), which need string literals, member access and `in`.
 * Semantics from expr-lang/expr (docs/language-definition.md, v1.17): `and`/`&&`,
 * `or`/`||`, `not`/`!`, comparisons, `in` over an array, `.` and the nil-safe `?.`
 * member access. A member of nil through `.` is an error here (expr-lang fails to fetch
 * it too), which is why conditions test `!= nil` first. Anything else throws, so a
 * condition this model cannot read is refused rather than judged.
 */
type Value = unknown;
type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'name'; name: string }
  | { kind: 'member'; target: Node; name: string; safe: boolean }
  | { kind: 'list'; items: Node[] }
  | { kind: 'unary'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|([A-Za-z_$][A-Za-z0-9_$]*)|(\?\.|&&|\|\||==|!=|<=|>=|[<>!.[\](),]))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let at = 0;
  while (at < source.length && !/^\s*$/.test(source.slice(at))) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(source);
    if (!m) throw new Error(`unexpected character at ${at} in "${source}"`);
    tokens.push(m[0].trim());
    at = TOKEN.lastIndex;
  }
  return tokens;
}

const LEVELS: readonly (readonly string[])[] = [
  ['or', '||'],
  ['and', '&&'],
  ['==', '!=', '<', '>', '<=', '>=', 'in'],
];

/** Parses a trigger condition; throws naming what it cannot read. */
export function parseTriggerCondition(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const expect = (t: string) => {
    if (tokens[pos] !== t) throw new Error(`expected "${t}" in "${source}", got "${tokens[pos] ?? 'end'}"`);
    pos++;
  };
  const binary = (level: number): Node => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (LEVELS[level].includes(tokens[pos])) {
      const op = tokens[pos++];
      left = { kind: 'binary', op, left, right: binary(level + 1) };
    }
    return left;
  };
  const unary = (): Node =>
    tokens[pos] === '!' || tokens[pos] === 'not' ? (pos++, { kind: 'unary', operand: unary() }) : postfix(primary());
  const primary = (): Node => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`unexpected end of "${source}"`);
    if (t === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (t === '[') {
      const items: Node[] = [];
      while (tokens[pos] !== ']') {
        items.push(binary(0));
        if (tokens[pos] === ',') pos++;
        else break;
      }
      expect(']');
      return { kind: 'list', items };
    }
    if (/^['"]/.test(t)) return { kind: 'literal', value: t.slice(1, -1).replace(/\\(.)/g, '$1') };
    if (/^\d/.test(t)) return { kind: 'literal', value: Number(t) };
    if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
    if (t === 'nil') return { kind: 'literal', value: null };
    if (/^[A-Za-z_$]/.test(t) && tokens[pos] !== '(') return { kind: 'name', name: t };
    throw new Error(`"${t}" is outside the modelled subset of expr-lang (in "${source}")`);
  };
  const postfix = (node: Node): Node => {
    while (tokens[pos] === '.' || tokens[pos] === '?.') {
      const safe = tokens[pos++] === '?.';
      const name = tokens[pos++];
      if (!name || !/^[A-Za-z_$]/.test(name)) throw new Error(`expected a field name after "." in "${source}"`);
      node = { kind: 'member', target: node, name, safe };
    }
    if (tokens[pos] === '(' || tokens[pos] === '[') throw new Error(`calls and indexing are outside the modelled subset (in "${source}")`);
    return node;
  };
  const tree = binary(0);
  if (pos !== tokens.length) throw new Error(`unexpected "${tokens[pos]}" in "${source}"`);
  return tree;
}

function evaluate(node: Node, env: Readonly<Record<string, unknown>>): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name':
      if (!(node.name in env)) throw new Error(`unknown name "${node.name}"`);
      return env[node.name];
    case 'list':
      return node.items.map((item) => evaluate(item, env));
    case 'member': {
      const target = evaluate(node.target, env);
      if (target === null || target === undefined) {
        if (node.safe) return null;
        throw new Error(`cannot fetch "${node.name}" from nil`);
      }
      return (target as Record<string, unknown>)[node.name] ?? null;
    }
    case 'unary':
      return !truth(evaluate(node.operand, env));
    case 'binary':
      return binaryOp(node, env);
  }
}

const truth = (value: Value): boolean => {
  if (typeof value !== 'boolean') throw new Error(`expected a bool, got ${JSON.stringify(value)}`);
  return value;
};

function binaryOp(node: Extract<Node, { kind: 'binary' }>, env: Readonly<Record<string, unknown>>): Value {
  const left = evaluate(node.left, env);
  if (node.op === 'and' || node.op === '&&') return truth(left) && truth(evaluate(node.right, env));
  if (node.op === 'or' || node.op === '||') return truth(left) || truth(evaluate(node.right, env));
  const right = evaluate(node.right, env);
  switch (node.op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case 'in':
      if (!Array.isArray(right)) throw new Error('"in" needs an array on its right');
      return right.includes(left);
    default: {
      if (typeof left !== 'number' || typeof right !== 'number') throw new Error(`"${node.op}" compares numbers`);
      return { '<': left < right, '>': left > right, '<=': left <= right, '>=': left >= right }[node.op];
    }
  }
}

/** Whether the condition holds for `env` (e.g. `{ app }`); throws as expr-lang would fail. */
export function evalTriggerCondition(source: string, env: Readonly<Record<string, unknown>>): boolean {
  return truth(evaluate(parseTriggerCondition(source), env));
}
