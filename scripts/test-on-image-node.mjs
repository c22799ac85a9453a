// `npm run test:unit:image-node`: the unit suites again, on the Node the agent image runs (Dockerfile.agent's
// node:24; this machine's Node may be older). The agent takes Node-specific paths there (JSON.parse with source
// text, the code cache), so both Nodes must pass. The Node binary is fetched once from the npm registry into
// ~/.cache/vault-injector/node/ (e2e/bed/node-runtime.ts); its code cache is trained first, as the image build does.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { provisionImageNode, IMAGE_NODE_VERSION } = await import(join(root, 'dist', 'e2e', 'bed', 'node-runtime.js'));
const log = (m) => process.stderr.write(`[image-node] ${m}\n`);

let node;
try {
  const provisioned = provisionImageNode(log);
  node = provisioned.node;
  log(provisioned.trained);
} catch (err) {
  log(`cannot get Node.js ${IMAGE_NODE_VERSION} or train its code cache: ${err.message}`);
  process.exit(1);
}
const run = (args) => spawnSync(node, args, { cwd: root, stdio: 'inherit', timeout: 1_200_000 }).status ?? 1;
log(`unit suites on Node.js ${IMAGE_NODE_VERSION} (${node})`);
process.exit(run([join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', '.mocharc.unit.json']));
