import assert from 'node:assert/strict';
import { tempPathBeside } from './temp-path.js';

describe('tempPathBeside', () => {
  it('names a hidden .tmp file in the same directory, different on every call', () => {
    const names = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const p = tempPathBeside('/vault/secrets/db-creds');
      assert.match(p, /^\/vault\/secrets\/\.db-creds\.[0-9a-z]+\.tmp$/);
      names.add(p);
    }
    assert.equal(names.size, 1000);
  });
});
