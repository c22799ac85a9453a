import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ANNOTATION_DOCS, PREFIX_DOCS } from './annotation-docs.js';
import { ANNOTATION_DOCS_PATH, annotationRows, renderAnnotationDocs } from './annotation-docs-md.js';
import { withDefaults } from './annotations.js';
import { A, P } from './keys.js';
import { injectorConfig } from './test-fixtures.js';

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('annotation docs (docs/annotations.md)', () => {
  it('documents every annotation name in keys.ts A, and nothing else', () => {
    assert.deepEqual(sorted(Object.keys(ANNOTATION_DOCS)), sorted(Object.keys(A)));
  });

  it('documents every per-secret / per-parameter prefix in keys.ts P, and nothing else', () => {
    assert.deepEqual(sorted(Object.keys(PREFIX_DOCS)), sorted(Object.keys(P)));
  });

  it('shows each annotation once, with a one-line description, default and format', () => {
    const rows = annotationRows();
    assert.equal(new Set(rows.map((r) => r.shownName)).size, rows.length, 'an annotation is listed twice');
    for (const { shownName, doc } of rows) {
      for (const field of ['default', 'format', 'description'] as const) {
        assert.notEqual(doc[field].trim(), '', `${shownName}: empty ${field}`);
        assert.doesNotMatch(doc[field], /\n/, `${shownName}: ${field} spans lines`);
      }
      assert.match(doc.description, /\.$/, `${shownName}: description is not a sentence`);
    }
    assert.ok(rows.some((r) => r.shownName === 'agent-native-sidecar' && r.doc.ours));
    assert.ok(rows.some((r) => r.shownName === 'agent-inject-engine-<name>' && r.doc.ours));
  });

  it('states the default the injector really applies (Init defaults, injector at its own defaults)', () => {
    const pod = { metadata: { annotations: { 'vault.hashicorp.com/agent-inject': 'true' } }, spec: { containers: [] } };
    const applied = withDefaults(pod, 'request-ns', injectorConfig());
    // depend on the request or the injector's address, not on a fixed default
    const contextual = new Set<string>([A.inject, A.requestNamespace, A.service]);
    let checked = 0;
    for (const key of Object.keys(A) as (keyof typeof A)[]) {
      const value = applied.get(A[key]);
      if (value === undefined || value === '' || contextual.has(A[key])) continue;
      assert.ok(
        ANNOTATION_DOCS[key].default.includes(`\`${value}\``),
        `${A[key]}: the code defaults to ${JSON.stringify(value)}, the docs say ${ANNOTATION_DOCS[key].default}`,
      );
      checked++;
    }
    assert.ok(checked >= 20, `only ${checked} defaults compared`);
  });

  it(`${ANNOTATION_DOCS_PATH} is up to date (else run: npm run docs:annotations)`, () => {
    const onDisk = readFileSync(new URL(`../../../../${ANNOTATION_DOCS_PATH}`, import.meta.url), 'utf8');
    assert.equal(onDisk, renderAnnotationDocs(), `${ANNOTATION_DOCS_PATH} is stale: run npm run docs:annotations`);
  });

  it('renders the prefix, a table per section and escapes pipes', () => {
    const md = renderAnnotationDocs();
    assert.match(md, /^# Pod annotations\n/);
    assert.match(md, /\| `agent-inject-secret-<name>` +\| — +\| Vault path +\|/);
    assert.match(md, /\| `agent-native-sidecar` +\| injector `-native-sidecar` \(`false`\) +\|/);
    for (const line of md.split('\n').filter((l) => l.startsWith('| `')))
      assert.equal(line.replaceAll('\\|', '').split('|').length, 6, `bad table row: ${line}`);
  });
});
