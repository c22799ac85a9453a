import assert from 'node:assert/strict';
import { Shutdown, StopRequested } from './shutdown.js';

describe('demo shutdown', () => {
  it('001 stops in reverse order, once each, and goes on after a failure', async () => {
    const s = new Shutdown();
    const order: string[] = [];
    s.add('cluster', async () => {
      order.push('cluster');
    });
    s.add('vault', async () => {
      throw new Error('boom');
    });
    s.add('pod', async () => {
      order.push('pod');
    });
    const reported: string[] = [];
    const results = await s.stopAll((r) => reported.push(r.name));
    assert.deepEqual(order, ['pod', 'cluster']);
    assert.deepEqual(reported, ['pod', 'vault', 'cluster']);
    assert.deepEqual(results[1], { name: 'vault', error: 'boom' });
    assert.deepEqual(await s.stopAll(), []);
  });

  it('002 a request wakes waiters and makes the next checkpoint throw', async () => {
    const s = new Shutdown();
    s.checkpoint();
    setTimeout(() => s.request(), 5);
    await s.whenRequested;
    assert.equal(s.requested, true);
    assert.throws(() => s.checkpoint(), StopRequested);
  });
});
