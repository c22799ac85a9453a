import assert from 'node:assert/strict';
import { parseHcl } from './hcl.js';

describe('HCL parsing memory', () => {
  it('an HCL config leaves the agent without the parser runtime (~90 MB if it ran in-process)', async function () {
    this.timeout(30_000);
    const before = process.memoryUsage().rss;
    const parsed = await parseHcl('vault {\n  address = "http://127.0.0.1:8200"\n}\nexit_after_auth = true\n', 't.hcl');
    assert.deepEqual(parsed.exit_after_auth, true);
    const grown = (process.memoryUsage().rss - before) / 1048576;
    assert.ok(grown < 40, `RSS grew by ${grown.toFixed(0)} MiB`);
  });
});
