import assert from 'node:assert/strict';
import { parseOptions } from './agent-options.js';

describe('bench:agent flags', () => {
  it('has defaults: 5 runs, 60 s idle window, 5 s settling, 1 and 50 templates', () => {
    assert.deepEqual(parseOptions([]), {
      runs: 5,
      idleSeconds: 60,
      settleSeconds: 5,
      templateCounts: [1, 50],
      sidecars: 'parallel',
      oursEntry: undefined,
      node: 'image',
    });
  });

  it('takes the ten-minute window and other template counts', () => {
    const o = parseOptions(['--idle-seconds=600', '--templates=1, 10,10', '--runs=9']);
    assert.equal(o.idleSeconds, 600);
    assert.deepEqual(o.templateCounts, [1, 10]);
    assert.equal(o.runs, 9);
    assert.equal(parseOptions(['--sidecars=sequential']).sidecars, 'sequential');
    assert.equal(parseOptions(['--ours-entry=/tmp/a.mjs']).oursEntry, '/tmp/a.mjs');
    assert.equal(parseOptions(['--node=system']).node, 'system');
    assert.equal(parseOptions(['--node=/opt/node/bin/node']).node, '/opt/node/bin/node');
  });

  it('rejects unknown flags and out-of-range values with the flag named', () => {
    assert.throws(() => parseOptions(['--seconds=5']), /unknown argument "--seconds=5"/);
    assert.throws(() => parseOptions(['verbose']), /unknown argument "verbose"/);
    assert.throws(() => parseOptions(['--runs=0']), /--runs must be an integer in \[1, 50\]/);
    assert.throws(() => parseOptions(['--idle-seconds=abc']), /--idle-seconds/);
    assert.throws(() => parseOptions(['--templates=1,x']), /--templates must be/);
    assert.throws(() => parseOptions(['--sidecars=both']), /--sidecars must be parallel or sequential/);
    assert.throws(() => parseOptions(['--node=']), /--node must be image, system or a path/);
  });
});
