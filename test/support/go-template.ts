/**
 * A renderer for the subset of Go's text/template the notification templates use
 * (charts/constructs/notifications/catalog.ts), so that a broken template fails a test
 * here instead of a message failing to send in the cluster. There is no Go toolchain on
 * the CI machine and no well-kept npm port of text/template, so this follows the
 * package's documented semantics (https://pkg.go.dev/text/template) for:
 *
 *   {{.a.b}}  {{.}}  {{(index .list 0).field}}  {{index .list 0}}
 *   {{if PIPELINE}} … {{else}} … {{end}}   {{range PIPELINE}} … {{end}}   {{- trim -}}
 *
 * `if` follows Go's truth (false, 0, nil, "" and empty collections are false); `range`
 * rebinds `.` to each element. Stricter than Go on purpose: a field missing from the
 * data throws instead of printing "<no value>", and so does any action outside the
 * subset, so a typo in a field name or an unsupported function fails the test.
 */
type Data = unknown;
type Part = { kind: 'text'; text: string } | { kind: 'action'; body: string };
type Tree =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: string }
  | { kind: 'if'; expr: string; then: Tree[]; otherwise: Tree[] }
  | { kind: 'range'; expr: string; body: Tree[] };

export class TemplateError extends Error {}

function lex(source: string): Part[] {
  const parts: Part[] = [];
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (m[1]) text = text.replace(/\s+$/, '');
    if (parts.length > 0 && parts[parts.length - 1].kind === 'action' && (parts[parts.length - 1] as { trimRight?: boolean }).trimRight)
      text = text.replace(/^\s+/, '');
    parts.push({ kind: 'text', text });
    parts.push(Object.assign({ kind: 'action' as const, body: m[2].trim() }, m[3] ? { trimRight: true } : {}));
    last = re.lastIndex;
  }
  if (/\{\{|\}\}/.test(source.slice(last))) throw new TemplateError(`unbalanced braces in "${source}"`);
  let tail = source.slice(last);
  if (parts.length > 0 && (parts[parts.length - 1] as { trimRight?: boolean }).trimRight) tail = tail.replace(/^\s+/, '');
  parts.push({ kind: 'text', text: tail });
  return parts;
}

function parse(parts: Part[], source: string): Tree[] {
  let pos = 0;
  const block = (terminators: readonly string[]): { nodes: Tree[]; end: string } => {
    const nodes: Tree[] = [];
    while (pos < parts.length) {
      const part = parts[pos++];
      if (part.kind === 'text') {
        if (part.text) nodes.push({ kind: 'text', text: part.text });
        continue;
      }
      const [word, ...rest] = part.body.split(/\s+/);
      if (terminators.includes(word)) return { nodes, end: word };
      if (word === 'if') {
        const then = block(['else', 'end']);
        const otherwise = then.end === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'if', expr: rest.join(' '), then: then.nodes, otherwise });
      } else if (word === 'range') {
        nodes.push({ kind: 'range', expr: rest.join(' '), body: block(['end']).nodes });
      } else if (['else', 'end', 'with', 'define', 'template', 'block'].includes(word)) {
        throw new TemplateError(`unexpected {{${part.body}}} in "${source}"`);
      } else {
        nodes.push({ kind: 'print', expr: part.body });
      }
    }
    if (terminators.length > 0) throw new TemplateError(`missing {{end}} in "${source}"`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

/** `.a.b` from `dot`; a missing field throws. */
function field(path: string, dot: Data): Data {
  if (path === '.') return dot;
  let value = dot;
  for (const name of path.slice(1).split('.')) {
    if (typeof value !== 'object' || value === null || !(name in value)) throw new TemplateError(`no field "${name}" in ${path}`);
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

function evaluate(expr: string, dot: Data): Data {
  const text = expr.trim();
  const paren = /^\((.+)\)(\.[A-Za-z0-9_.]+)?$/.exec(text);
  if (paren) {
    const inner = evaluate(paren[1], dot);
    return paren[2] ? field(paren[2], inner) : inner;
  }
  const index = /^index\s+(\S+)\s+(\d+)$/.exec(text);
  if (index) {
    const list = evaluate(index[1], dot);
    if (!Array.isArray(list) || Number(index[2]) >= list.length) throw new TemplateError(`index out of range: ${text}`);
    return list[Number(index[2])] as Data;
  }
  if (/^\.([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?$/.test(text)) return field(text, dot);
  throw new TemplateError(`"${text}" is outside the supported subset of text/template`);
}

const truthy = (value: Data) =>
  !(
    value === false ||
    value === 0 ||
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );

function print(value: Data, expr: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`{{${expr}}} prints ${value === null ? 'nil' : typeof value}, not a scalar`);
}

function run(nodes: readonly Tree[], dot: Data): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case 'text':
          return node.text;
        case 'print':
          return print(evaluate(node.expr, dot), node.expr);
        case 'if':
          return run(truthy(evaluate(node.expr, dot)) ? node.then : node.otherwise, dot);
        case 'range': {
          const list = evaluate(node.expr, dot);
          if (!Array.isArray(list)) throw new TemplateError(`range over ${node.expr}, which is not a list`);
          return list.map((item) => run(node.body, item)).join('');
        }
      }
    })
    .join('');
}

/** Renders `source` with `data` as `.`; throws TemplateError on anything Go would refuse or print badly. */
export function renderGoTemplate(source: string, data: Data): string {
  return run(parse(lex(source), source), data);
}
