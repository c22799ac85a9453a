import assert from 'node:assert/strict';
import { LogCursor, prefixed } from './log-cursor.js';

describe('demo log cursor', () => {
  it('001 hands out each line once, and starts over for a restarted container', () => {
    const c = new LogCursor();
    assert.deepEqual(c.next(0, ''), { restarted: false, lines: [] });
    assert.deepEqual(c.next(0, 'a\nb\n'), { restarted: false, lines: ['a', 'b'] });
    assert.deepEqual(c.next(0, 'a\nb\n'), { restarted: false, lines: [] });
    assert.deepEqual(c.next(0, 'a\nb\nc\n'), { restarted: false, lines: ['c'] });
    assert.deepEqual(c.next(1, 'x\n'), { restarted: true, lines: ['x'] });
    assert.deepEqual(c.next(1, 'x\ny\n'), { restarted: false, lines: ['y'] });
  });

  it('002 prefixes lines like kubectl logs --prefix', () => {
    assert.equal(prefixed('vault-agent', ['one', '']), '[vault-agent] one\n[vault-agent] \n');
  });
});
