import assert from 'node:assert/strict';
import { checkedExcerpts, excerptPattern, missingLines } from './troubleshooting-doc.js';

const DOC = `# Title

<!-- check: policy-403 vault-agent -->
\`\`\`text
2026-11-23T14:49:27.240Z [WARN]  agent: (view) vault.read(secret/devops): permission denied (retry attempt 1 after "…")

\`\`\`

Unchecked:

\`\`\`text
2026-11-23T14:49:27.240Z [INFO]  not checked
\`\`\`

<!-- check: webhook-denied webhook -->
\`\`\`
… decision=denied reason="a (b) [c]" duration_ms=…
second line
\`\`\`
`;

describe('troubleshooting doc excerpts', () => {
  it('001 finds each checked block with its id, source and non-empty lines; unmarked blocks are ignored', () => {
    assert.deepEqual(checkedExcerpts(DOC), [
      {
        id: 'policy-403',
        source: 'vault-agent',
        lines: [
          '2026-11-23T14:49:27.240Z [WARN]  agent: (view) vault.read(secret/devops): permission denied (retry attempt 1 after "…")',
        ],
      },
      {
        id: 'webhook-denied',
        source: 'webhook',
        lines: ['… decision=denied reason="a (b) [c]" duration_ms=…', 'second line'],
      },
    ]);
  });

  it('002 a leading timestamp matches any timestamp, … any text, the rest literally and the whole line', () => {
    const p = excerptPattern('2026-11-23T14:49:27.240Z [WARN]  agent: x(1) after "…"');
    assert.ok(p.test('2030-01-02T03:04:05.678Z [WARN]  agent: x(1) after "250ms"'));
    assert.ok(!p.test('2030-01-02T03:04:05.678Z [WARN]  agent: x1 after "250ms"'), 'parentheses are literal');
    assert.ok(!p.test('2030-01-02T03:04:05.678Z [WARN]  agent: x(1) after "250ms" and more'), 'whole line');
    assert.ok(!p.test('[WARN]  agent: x(1) after "250ms"'), 'the timestamp is required when shown');
    assert.ok(excerptPattern('… decision=denied').test('2026 [WARN] handler: decision=denied'));
  });

  it('003 missingLines lists the excerpt lines the output does not contain', () => {
    const [, denied] = checkedExcerpts(DOC);
    assert.ok(denied);
    const output = 'x\n2026 [WARN] handler: decision=denied reason="a (b) [c]" duration_ms=0.4\ny\n';
    assert.deepEqual(missingLines(denied, output), ['second line']);
    assert.deepEqual(missingLines(denied, `${output}second line\n`), []);
  });
});
