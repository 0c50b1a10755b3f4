import { FLAG_KINDS, type DiffReport, type FlagKind, type ObjectChange } from './diff';

/** GitHub refuses comments above 65 536 characters; stay well below it. */
export const MAX_MARKDOWN = 60_000;
const MAX_CELL = 160;
const MAX_ROWS_PER_OBJECT = 40;

/** A value inside a Markdown table cell: JSON, shortened, with pipes escaped. */
export function cell(value: unknown): string {
  if (value === undefined) return '*(absent)*';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length > MAX_CELL) text = `${text.slice(0, MAX_CELL - 1)}…`;
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\n/g, ' ')}\``;
}

export function renderFlags(report: DiffReport): string[] {
  if (report.flags.length === 0) return ['No flags: nothing here needs a closer look beyond the usual review.'];
  const lines: string[] = [];
  const kinds = Object.keys(FLAG_KINDS) as FlagKind[];
  for (const kind of kinds) {
    const flags = report.flags.filter((flag) => flag.kind === kind);
    if (flags.length === 0) continue;
    lines.push(`- **${FLAG_KINDS[kind]}** (\`${kind}\`)`);
    for (const flag of flags) lines.push(`  - ${flag.object}: ${flag.detail.replace(/\n/g, ' ')}`);
  }
  return lines;
}

function renderChange(change: ObjectChange): string[] {
  const lines = [`#### ${change.object}`, '', `\`${change.file}\``, '', '| field | before | after |', '|---|---|---|'];
  for (const field of change.fields.slice(0, MAX_ROWS_PER_OBJECT)) {
    lines.push(`| \`${field.path.replace(/\|/g, '\\|')}\` | ${cell(field.before)} | ${cell(field.after)} |`);
  }
  if (change.fields.length > MAX_ROWS_PER_OBJECT) {
    lines.push('', `…and ${change.fields.length - MAX_ROWS_PER_OBJECT} more fields (see \`npm run diff -- --json\`).`);
  }
  lines.push('');
  return lines;
}

/** The report as a Markdown PR comment, shortened if it would not fit in one. */
export function renderMarkdown(report: DiffReport, title: string): string {
  const { added, removed, changed, unchanged } = report;
  const lines: string[] = [
    `### ${title}`,
    '',
    `**${added.length} added, ${removed.length} removed, ${changed.length} changed** (${unchanged} unchanged)`,
    '',
    "#### Needs a reviewer's eye",
    '',
    ...renderFlags(report),
    '',
  ];
  const list = (heading: string, changes: readonly ObjectChange[]) => {
    if (changes.length === 0) return;
    lines.push(`#### ${heading}`, '');
    for (const item of changes) lines.push(`- ${item.object} (\`${item.file}\`)`);
    lines.push('');
  };
  list('Added', added);
  list('Removed', removed);
  if (changed.length > 0) {
    lines.push('#### Changed', '');
    for (const item of changed) lines.push(...renderChange(item));
  }
  const markdown = lines.join('\n');
  if (markdown.length <= MAX_MARKDOWN) return markdown;
  const cut = markdown.lastIndexOf('\n', MAX_MARKDOWN - 200);
  return `${markdown.slice(0, cut)}\n\n…shortened to fit a comment; run \`npm run diff -- --json\` for everything.\n`;
}
