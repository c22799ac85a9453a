// Node built-ins that only some paths of the agent use, loaded on first use. Importing them at the top would
// load them in every init container before the first render (node:crypto alone cost ~5 ms of a ~60 ms run;
// node:https with node:tls ~10 ms, for a Vault address that may well be plain http).
export const nodeCrypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');
export const childProcess = (): typeof import('node:child_process') => process.getBuiltinModule('node:child_process');
export const nodeHttps = (): typeof import('node:https') => process.getBuiltinModule('node:https');
export const nodeTls = (): typeof import('node:tls') => process.getBuiltinModule('node:tls');
