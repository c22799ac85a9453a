import assert from 'node:assert/strict';
import { parseCommandNames } from './cli-commands.js';

describe('demo cli command lookup', () => {
  it('001 reads command names and aliases from commander help, not other lines', () => {
    const help = `Usage: vault-injector [options] [command]

Options:
  -v, --version                    print the version and exit

Commands:
  version                          print the version, Node.js runtime and
                                   platform
  webhook|agent-inject [flags...]  run the mutating admission webhook
  check-files [flags...]           exit 0 when every given file exists
  help [command]                   display help for command
`;
    assert.deepEqual(parseCommandNames(help), ['version', 'webhook', 'agent-inject', 'check-files', 'help']);
    assert.ok(!parseCommandNames(help).includes('agent'));
  });
});
