/**
 * The parser half of the expr-lang model (argo-expr.ts): tokens and a precedence-climbing
 * parser for the subset our AnalysisTemplates' conditions use, with expr-lang's operator
 * precedence (expr-lang/expr@v1.17.8 parser/operator/operator.go; see argo-expr.ts for
 * the full list of sources).
 */

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

export type Node =
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
  const re =
    /\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)|([A-Za-z_$][A-Za-z0-9_$]*)|(\*\*|&&|\|\||==|!=|<=|>=|\?\?|\.\.|[-+*/%^!<>()[\],.?:|"'`#{}=]))/y;
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
/** Parses a condition into a tree; throws ExprError (syntax) or ExprUnsupported. */
export function parseCondition(source: string): Node {
  const parser = new Parser(source, tokenize(source));
  const tree = parser.expression(0);
  parser.end();
  return tree;
}

/** One pass over one condition's tokens. */
class Parser {
  private pos = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly string[],
  ) {}

  end(): void {
    if (this.pos !== this.tokens.length) throw new ExprError(`unexpected token "${this.tokens[this.pos]}" in "${this.source}"`);
  }

  expression(minPrecedence: number): Node {
    let left = this.primary();
    for (;;) {
      const op = this.peek();
      if (op === undefined || op === ')' || op === ']' || op === ',') break;
      if (UNSUPPORTED_WORDS.has(op) || op === '??' || op === '..' || op === '|' || op === '?') {
        throw new ExprUnsupported(`operator "${op}" is outside the modelled subset of expr-lang`);
      }
      const info = BINARY[op];
      if (!info) throw new ExprError(`unexpected token "${op}" in "${this.source}"`);
      if (info.precedence < minPrecedence || (info.precedence === minPrecedence && !info.right)) break;
      this.pos++;
      const right = this.expression(info.right ? info.precedence : info.precedence + 1);
      left = { kind: 'binary', op, left, right };
    }
    return left;
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }

  private expect(t: string): void {
    if (this.tokens[this.pos] !== t) {
      throw new ExprError(`expected "${t}" at token ${this.pos} of "${this.source}", got "${this.tokens[this.pos] ?? 'end'}"`);
    }
    this.pos++;
  }

  private primary(): Node {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new ExprError(`unexpected end of "${this.source}"`);
    if (t in UNARY) return { kind: 'unary', op: t, operand: this.expression(UNARY[t]) };
    if (t === '(') {
      const inner = this.expression(0);
      this.expect(')');
      return this.postfix(inner);
    }
    if (/^[\d.]/.test(t)) return this.postfix({ kind: 'number', value: Number(t), integer: /^\d+$/.test(t) });
    if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
    if (t === 'nil') return { kind: 'nil' };
    if (UNSUPPORTED_WORDS.has(t)) throw new ExprUnsupported(`"${t}" is outside the modelled subset of expr-lang`);
    if (/^[A-Za-z_$]/.test(t)) return this.postfix(this.peek() === '(' ? this.call(t) : { kind: 'name', name: t });
    throw new ExprUnsupported(`token "${t}" is outside the modelled subset of expr-lang`);
  }

  private call(callee: string): Node {
    this.pos++;
    const args: Node[] = [];
    while (this.peek() !== ')') {
      args.push(this.expression(0));
      if (this.peek() === ',') this.pos++;
      else break;
    }
    this.expect(')');
    return { kind: 'call', callee, args };
  }

  private postfix(node: Node): Node {
    while (this.peek() === '[' || this.peek() === '.' || this.peek() === '?') {
      if (this.peek() !== '[') throw new ExprUnsupported(`member access "${this.peek()}" is outside the modelled subset of expr-lang`);
      this.pos++;
      const index = this.expression(0);
      if (this.peek() === ':') throw new ExprUnsupported('slices are outside the modelled subset of expr-lang');
      this.expect(']');
      node = { kind: 'index', target: node, index };
    }
    return node;
  }
}
