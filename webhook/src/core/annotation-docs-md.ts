/** Renders docs/annotations.md from the annotation table (pure: the writer script does the I/O). */
import { ANNOTATION_DOCS, type AnnotationDoc, PREFIX_DOCS, type PrefixDoc, SECTION_ORDER } from './annotation-docs.js';
import { A, P, PREFIX } from './keys.js';

export const ANNOTATION_DOCS_PATH = 'docs/annotations.md';

interface Row {
  readonly shownName: string;
  readonly doc: AnnotationDoc;
}

/** Every documented annotation in keys.ts order (plain names, then prefixes). */
export function annotationRows(): Row[] {
  const plain = (Object.keys(A) as (keyof typeof A)[]).map((k) => ({ shownName: A[k], doc: ANNOTATION_DOCS[k] }));
  const prefixed = (Object.keys(P) as (keyof typeof P)[]).map((k) => prefixRow(P[k], PREFIX_DOCS[k]));
  return [...plain, ...prefixed];
}

function prefixRow(prefix: string, doc: PrefixDoc): Row {
  return { shownName: `${prefix}${doc.suffix}`, doc };
}

/** A Markdown table cell: pipes would end the cell, newlines the row. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Columns padded to their widest cell, the layout Biome's Markdown formatter keeps (so `biome check` passes). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const width = (text: string) => [...text].length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function renderAnnotationDocs(): string {
  const rows = annotationRows();
  const out: string[] = [
    '# Pod annotations',
    '',
    '<!-- Generated from webhook/src/core/annotation-docs.ts by `npm run docs:annotations`. Do not edit by hand. -->',
    '',
    `Every annotation below is written with the prefix \`${PREFIX}\`, e.g. \`${PREFIX}${A.inject}: "true"\`.`,
    'Names ending in `<name>` are per secret: the suffix names the file and ties the per-secret annotations',
    'together. "Default" is what applies when the annotation is absent; "injector `-flag`" means the webhook',
    'flag (or its `AGENT_INJECT_*` variable), with that flag’s own default in parentheses.',
    'Rows marked **vault-injector** are our additions; vault-k8s ignores them.',
    '',
  ];
  for (const section of SECTION_ORDER) {
    const inSection = rows.filter((r) => r.doc.section === section);
    if (inSection.length === 0) continue;
    const body = inSection.map(({ shownName, doc }) => [
      `\`${shownName}\``,
      cell(doc.default),
      cell(doc.format),
      cell(doc.ours ? `**vault-injector.** ${doc.description}` : doc.description),
    ]);
    out.push(`## ${section}`, '', ...table(['Annotation', 'Default', 'Format', 'Description'], body));
    out.push('');
  }
  return out.join('\n');
}
