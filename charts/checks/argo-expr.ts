/**
 * How Argo Rollouts turns one Prometheus answer into a measurement phase, for the
 * subset of expr-lang our AnalysisTemplates' conditions use.
 *
 * Sources (read, not guessed):
 * - argoproj/argo-rollouts@9f8d111d metricproviders/prometheus/prometheus.go
 *   `processResponse`: a vector becomes a `[]float64` (never nil: an empty vector is an
 *   empty slice), a scalar a `float64`; labels are dropped.
 * - utils/evaluate/evaluate.go `EvaluateResult`: successCondition first, then
 *   failureCondition; an evaluation error is phase Error; failure wins over success;
 *   neither true is Inconclusive. `EvalCondition`'s environment: result, isNaN, isInf,
 *   asInt, asFloat, isNil, default; a non-bool outcome is an error.
 * - expr-lang/expr@v1.17.8 (go.mod of argo-rollouts): operator precedence in
 *   parser/operator/operator.go (or 10, and 15, comparisons 20, + - 30, * / % 60,
 *   ** ^ 100 right-associative, unary ! not 50, unary - + 90); `&&`/`||` short-circuit
 *   (compiler/compiler.go, conf ShortCircuit defaults to true); vm/runtime/runtime.go
 *   `Fetch`: a negative index counts from the end, any other out-of-range index panics
 *   "index out of range", which EvalCondition returns as an error → phase Error.
 *
 * Anything outside the subset (strings, maps, `in`, `matches`, closures) throws an
 * {@link ExprUnsupported}, so a condition this model cannot read is never silently
 * judged.
 */

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** What the prometheus provider hands to the conditions: a vector's values, or a scalar. */
export type ProviderResult = number | readonly number[];

/** A condition uses syntax this model does not implement. */
export class ExprUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExprUnsupported';
  }
}

/** expr-lang refused or failed to evaluate the condition (Argo Rollouts: phase Error). */
export class ExprError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExprError';
  }
}

type Value = number | boolean | readonly number[] | null | ((...args: Value[]) => Value);

type Node =
  | { kind: 'number'; value: number; integer: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'name'; name: string }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'call'; callee: string; args: Node[] }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

const BINARY: Record<string, { precedence: number; right: boolean }> = {
  or: { precedence: 10, right: false },
  '||': { precedence: 10, right: false },
  and: { precedence: 15, right: false },
  '&&': { precedence: 15, right: false },
  '==': { precedence: 20, right: false },
  '!=': { precedence: 20, right: false },
  '<': { precedence: 20, right: false },
  '>': { precedence: 20, right: false },
  '<=': { precedence: 20, right: false },
  '>=': { precedence: 20, right: false },
  '+': { precedence: 30, right: false },
  '-': { precedence: 30, right: false },
  '*': { precedence: 60, right: false },
  '/': { precedence: 60, right: false },
  '%': { precedence: 60, right: false },
  '**': { precedence: 100, right: true },
  '^': { precedence: 100, right: true },
};
const UNARY: Record<string, number> = { '!': 50, not: 50, '-': 90, '+': 90 };
const UNSUPPORTED_WORDS = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else']);

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)|([A-Za-z_$][A-Za-z0-9_$]*)|(\*\*|&&|\|\||==|!=|<=|>=|\?\?|\.\.|[-+*/%^!<>()[\],.?:|"'`#{}=]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw new ExprError(`unexpected character at ${at} in "${source}"`);
    tokens.push(m[1] ?? m[2] ?? m[3]);
    at = re.lastIndex;
  }
  return tokens;
}

/** Parses a condition into a tree; throws ExprError (syntax) or ExprUnsupported. */
export function parseCondition(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const expect = (t: string) => {
    if (tokens[pos] !== t) throw new ExprError(`expected "${t}" at token ${pos} of "${source}", got "${tokens[pos] ?? 'end'}"`);
    pos++;
  };

  const primary = (): Node => {
    const t = tokens[pos++];
    if (t === undefined) throw new ExprError(`unexpected end of "${source}"`);
    if (t in UNARY) return { kind: 'unary', op: t, operand: expression(UNARY[t]) };
    if (t === '(') {
      const inner = expression(0);
      expect(')');
      return postfix(inner);
    }
    if (/^[\d.]/.test(t)) return postfix({ kind: 'number', value: Number(t), integer: /^\d+$/.test(t) });
    if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
    if (t === 'nil') return { kind: 'nil' };
    if (UNSUPPORTED_WORDS.has(t)) throw new ExprUnsupported(`"${t}" is outside the modelled subset of expr-lang`);
    if (/^[A-Za-z_$]/.test(t)) {
      if (peek() === '(') {
        pos++;
        const args: Node[] = [];
        while (peek() !== ')') {
          args.push(expression(0));
          if (peek() === ',') pos++;
          else break;
        }
        expect(')');
        return postfix({ kind: 'call', callee: t, args });
      }
      return postfix({ kind: 'name', name: t });
    }
    throw new ExprUnsupported(`token "${t}" is outside the modelled subset of expr-lang`);
  };

  const postfix = (node: Node): Node => {
    while (peek() === '[' || peek() === '.' || peek() === '?') {
      if (peek() !== '[') throw new ExprUnsupported(`member access "${peek()}" is outside the modelled subset of expr-lang`);
      pos++;
      const index = expression(0);
      if (peek() === ':') throw new ExprUnsupported('slices are outside the modelled subset of expr-lang');
      expect(']');
      node = { kind: 'index', target: node, index };
    }
    return node;
  };

  const expression = (minPrecedence: number): Node => {
    let left = primary();
    for (;;) {
      const op = peek();
      if (op === undefined || op === ')' || op === ']' || op === ',') break;
      if (UNSUPPORTED_WORDS.has(op) || op === '??' || op === '..' || op === '|' || op === '?') {
        throw new ExprUnsupported(`operator "${op}" is outside the modelled subset of expr-lang`);
      }
      const info = BINARY[op];
      if (!info) throw new ExprError(`unexpected token "${op}" in "${source}"`);
      if (info.precedence < minPrecedence || (info.precedence === minPrecedence && !info.right)) break;
      pos++;
      const right = expression(info.right ? info.precedence : info.precedence + 1);
      left = { kind: 'binary', op, left, right };
    }
    return left;
  };

  const tree = expression(0);
  if (pos !== tokens.length) throw new ExprError(`unexpected token "${tokens[pos]}" in "${source}"`);
  return tree;
}

const isNumber = (v: Value): v is number => typeof v === 'number';
const isList = (v: Value): v is readonly number[] => Array.isArray(v);

function typeName(v: Value): string {
  if (v === null) return 'nil';
  if (isList(v)) return '[]float64';
  if (typeof v === 'function') return 'func';
  return typeof v === 'boolean' ? 'bool' : 'float64';
}

/** EvalCondition's environment (utils/evaluate/evaluate.go), for a non-nil result. */
function environment(result: ProviderResult): Record<string, Value> {
  const numberArg = (name: string, f: (x: number) => Value) => (...args: Value[]) => {
    if (args.length !== 1 || !isNumber(args[0])) {
      throw new ExprError(`cannot use ${args.map(typeName).join(', ')} as argument to ${name}(float64)`);
    }
    return f(args[0]);
  };
  return {
    result,
    isNaN: numberArg('isNaN', (x) => Number.isNaN(x)),
    isInf: numberArg('isInf', (x) => x === Infinity || x === -Infinity),
    // asInt truncates like Go's int64(float64); asFloat returns numbers as they are.
    asInt: numberArg('asInt', (x) => Math.trunc(x)),
    asFloat: numberArg('asFloat', (x) => x),
    // The provider never passes nil (an empty vector is an empty slice).
    isNil: () => false,
    default: (...args: Value[]) => {
      if (args.length !== 2) throw new ExprError('default() takes two arguments');
      return result;
    },
  };
}

function evaluate(node: Node, env: Record<string, Value>): Value {
  switch (node.kind) {
    case 'number':
    case 'bool':
      return node.value;
    case 'nil':
      return null;
    case 'name':
      if (!(node.name in env)) throw new ExprError(`unknown name ${node.name}`);
      return env[node.name];
    case 'index': {
      const target = evaluate(node.target, env);
      const index = evaluate(node.index, env);
      if (!isList(target)) throw new ExprError(`cannot fetch index from ${typeName(target)}`);
      if (!isNumber(index)) throw new ExprError(`non-integer index ${typeName(index)}`);
      let i = Math.trunc(index);
      if (i < 0) i += target.length;
      if (i < 0 || i >= target.length) throw new ExprError(`index out of range: ${i} (array length is ${target.length})`);
      return target[i];
    }
    case 'call': {
      if (node.callee === 'len') {
        const arg = evaluate(node.args[0], env);
        if (node.args.length !== 1 || !isList(arg)) throw new ExprError(`invalid argument for len (type ${typeName(arg)})`);
        return arg.length;
      }
      const f = env[node.callee];
      if (f === undefined) throw new ExprError(`unknown func ${node.callee}`);
      if (typeof f !== 'function') throw new ExprError(`${node.callee} is not callable`);
      return f(...node.args.map((a) => evaluate(a, env)));
    }
    case 'unary': {
      const v = evaluate(node.operand, env);
      if (node.op === '!' || node.op === 'not') {
        if (typeof v !== 'boolean') throw new ExprError(`invalid operation: ${node.op} (mismatched type ${typeName(v)})`);
        return !v;
      }
      if (!isNumber(v)) throw new ExprError(`invalid operation: ${node.op} (mismatched type ${typeName(v)})`);
      return node.op === '-' ? -v : v;
    }
    case 'binary':
      return binary(node.op, node.left, node.right, env);
  }
}

function binary(op: string, leftNode: Node, rightNode: Node, env: Record<string, Value>): Value {
  if (op === '&&' || op === 'and' || op === '||' || op === 'or') {
    const left = evaluate(leftNode, env);
    if (typeof left !== 'boolean') throw new ExprError(`invalid operation: ${op} (mismatched type ${typeName(left)})`);
    // Short-circuit, as expr-lang compiles it: the right side is never evaluated
    // (so `len(result) > 0 && result[0] > 1` cannot fail on an empty result).
    if ((op === '&&' || op === 'and') && !left) return false;
    if ((op === '||' || op === 'or') && left) return true;
    const right = evaluate(rightNode, env);
    if (typeof right !== 'boolean') throw new ExprError(`invalid operation: ${op} (mismatched type ${typeName(right)})`);
    return right;
  }
  const left = evaluate(leftNode, env);
  const right = evaluate(rightNode, env);
  if (op === '==' || op === '!=') {
    const equal = isNumber(left) && isNumber(right) ? left === right : left === right;
    return op === '==' ? equal : !equal;
  }
  if (!isNumber(left) || !isNumber(right)) {
    throw new ExprError(`invalid operation: ${op} (mismatched types ${typeName(left)} and ${typeName(right)})`);
  }
  switch (op) {
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    case '>=':
      return left >= right;
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    default:
      return left ** right;
  }
}

/** EvalCondition: true or false, or throws ExprError (Argo Rollouts: phase Error). */
export function evalCondition(result: ProviderResult, condition: string): boolean {
  const value = evaluate(parseCondition(condition), environment(result));
  if (typeof value !== 'boolean') throw new ExprError(`expected bool, but got ${typeName(value)}`);
  return value;
}

export interface MetricConditions {
  readonly successCondition?: string;
  readonly failureCondition?: string;
}

/** EvaluateResult: the phase Argo Rollouts gives one measurement with this result. */
export function evaluateResult(result: ProviderResult, metric: MetricConditions): MeasurementPhase {
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evalCondition(result, metric.successCondition);
    if (metric.failureCondition) failure = evalCondition(result, metric.failureCondition);
  } catch (error) {
    if (error instanceof ExprError) return 'Error';
    throw error;
  }
  if (!metric.successCondition && !metric.failureCondition) return 'Successful';
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return 'Failed';
  return success ? 'Successful' : 'Inconclusive';
}
