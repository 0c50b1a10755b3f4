/**
 * The repository's pull-request template (.github/pull_request_template.md), filled by
 * `npm run promote`: each `## ` section the promotion knows is replaced by what it
 * generated, the others (a checklist) are kept as the template has them, so a release PR
 * asks the reviewer the same questions as every other PR (issue 17, item 6).
 */
export const PR_TEMPLATE = '.github/pull_request_template.md';

export interface TemplateSection {
  /** The heading's text, without `## `. */
  readonly heading: string;
  readonly body: readonly string[];
}

/** Leading and trailing blank lines go; the blank lines between paragraphs stay. */
function trimBlank(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === '') start++;
  while (end > start && lines[end - 1].trim() === '') end--;
  return lines.slice(start, end);
}

/** The template's `## ` sections in order; what comes before the first is a note to the author and is dropped. */
export function templateSections(template: string): TemplateSection[] {
  const sections: { heading: string; body: string[] }[] = [];
  for (const line of template.split('\n')) {
    const heading = /^## (.+?)\s*$/.exec(line);
    if (heading) sections.push({ heading: heading[1], body: [] });
    else sections.at(-1)?.body.push(line);
  }
  return sections.map((s) => ({ heading: s.heading, body: trimBlank(s.body) }));
}

/**
 * `intro`, then every section of the template with the generated body where there is
 * one. A generated section the template lacks is appended, so nothing is lost when the
 * template changes; without a template, the generated sections alone, in their order.
 */
export function fillTemplate(
  template: string | undefined,
  intro: readonly string[],
  generated: ReadonlyMap<string, readonly string[]>,
): string {
  const sections = template === undefined ? [] : templateSections(template);
  const known = new Set(sections.map((s) => s.heading));
  const extra = [...generated.keys()].filter((heading) => !known.has(heading)).map((heading) => ({ heading, body: [] }));
  const lines = [...intro, ''];
  for (const section of [...sections, ...extra]) {
    lines.push(`## ${section.heading}`, '', ...trimBlank(generated.get(section.heading) ?? section.body), '');
  }
  return lines.join('\n');
}
