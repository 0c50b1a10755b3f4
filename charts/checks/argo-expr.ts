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
import { ExprError, parseCondition, type Node } from './argo-expr-parse';

export { ExprError, ExprUnsupported, parseCondition } from './argo-expr-parse';

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** What the prometheus provider hands to the conditions: a vector's values, or a scalar. */
export type ProviderResult = number | readonly number[];

type Value = number | boolean | readonly number[] | null | ((...args: Value[]) => Value);

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
  const numberArg =
    (name: string, f: (x: number) => Value) =>
    (...args: Value[]) => {
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
