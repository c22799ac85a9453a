import assert from 'node:assert/strict';
import { createLogger, formatLine } from './log.js';

const t = new Date('2021-08-19T18:54:12.363Z');

describe('cli/log', () => {
  it('001 standard format matches hclog', () => {
    assert.equal(
      formatLine('standard', t, 'info', 'handler', 'Starting handler..'),
      '2021-08-19T18:54:12.363Z [INFO]  handler: Starting handler..',
    );
    assert.equal(
      formatLine('standard', t, 'error', 'handler', 'denied', { namespace: 'app', reason: 'bad value "x"' }),
      '2021-08-19T18:54:12.363Z [ERROR] handler: denied: namespace=app reason="bad value \\"x\\""',
    );
  });
  it('002 json format', () => {
    assert.deepEqual(JSON.parse(formatLine('json', t, 'warn', 'agent', 'hello', { n: 1 })), {
      '@level': 'warn',
      '@message': 'hello',
      '@module': 'agent',
      '@timestamp': '2021-08-19T18:54:12.363Z',
      n: 1,
    });
  });
  it('003 levels below the threshold are dropped; sub-loggers are dotted', () => {
    const lines: string[] = [];
    const log = createLogger({
      name: 'handler',
      level: 'info',
      format: 'standard',
      write: (l) => lines.push(l),
      now: () => t,
    });
    log.debug('hidden');
    log.named('certwatcher').info('shown');
    assert.deepEqual(lines, ['2021-08-19T18:54:12.363Z [INFO]  handler.certwatcher: shown\n']);
  });
});
