import { chmodSync, cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GoRecipe, moduleDir, readText, toolsGo, wrapperGoMod } from './provision.js';

/**
 * Pinned versions of everything the bed builds. Change a version here and the next run builds it
 * into a new cache slot; the old one stays until removed by hand.
 */
export const VERSIONS = {
  kubernetes: 'v1.34.4', // native sidecars (GA in 1.33), TokenRequest, admission webhooks
  etcd: 'v3.6.16',
  helm: 'v3.19.5', // lints, renders and tests charts/vault-injector
} as const;

/** Reads the `=> ./staging/src/...` replaces from k8s.io/kubernetes's go.mod: those modules ship separately as v0.X.Y. */
export function stagingReplaces(kubernetesGoMod: string, kubeVersion: string): Record<string, string> {
  const staging = `v0.${kubeVersion.replace(/^v1\./, '')}`;
  const out: Record<string, string> = {};
  for (const m of kubernetesGoMod.matchAll(/^\s*(k8s\.io\/[\w./-]+)\s*=>\s*\.\/staging\/src\//gm)) {
    if (m[1]) out[m[1]] = `${m[1]} ${staging}`;
  }
  return out;
}

function goDirective(goMod: string): string {
  return /^go (\S+)/m.exec(goMod)?.[1] ?? '1.24';
}

export const kubeApiserverRecipe: GoRecipe = {
  tool: 'kube-apiserver',
  version: VERSIONS.kubernetes,
  binary: 'kube-apiserver',
  buildPackage: 'k8s.io/kubernetes/cmd/kube-apiserver',
  expectMinutes: 6,
  async prepare(work, go) {
    writeFileSync(join(work, 'go.mod'), `module local/kube-apiserver-build\n\ngo 1.24\n`);
    const upstream = readText(join(await moduleDir(go, work, `k8s.io/kubernetes@${VERSIONS.kubernetes}`), 'go.mod'));
    const godebug = /^godebug .*$/m.exec(upstream)?.[0];
    writeFileSync(
      join(work, 'go.mod'),
      wrapperGoMod({
        module: 'local/kube-apiserver-build',
        goVersion: goDirective(upstream),
        extra: godebug,
        requires: { 'k8s.io/kubernetes': VERSIONS.kubernetes },
        replaces: stagingReplaces(upstream, VERSIONS.kubernetes),
      }),
    );
    writeFileSync(join(work, 'tools.go'), toolsGo(['k8s.io/kubernetes/cmd/kube-apiserver']));
    await go(['mod', 'tidy'], { cwd: work });
  },
  // The version the binary reports (and /version serves), which Go modules cannot stamp by themselves.
  ldflags: (() => {
    const [major, minor] = VERSIONS.kubernetes.replace(/^v/, '').split('.');
    return [
      `-X k8s.io/component-base/version.gitVersion=${VERSIONS.kubernetes}`,
      `-X k8s.io/component-base/version.gitMajor=${major}`,
      `-X k8s.io/component-base/version.gitMinor=${minor}`,
      '-X k8s.io/component-base/version.gitTreeState=clean',
      `-X k8s.io/client-go/pkg/version.gitVersion=${VERSIONS.kubernetes}`,
    ].join(' ');
  })(),
};

export const etcdRecipe: GoRecipe = {
  tool: 'etcd',
  version: VERSIONS.etcd,
  binary: 'etcd',
  buildPackage: 'go.etcd.io/etcd/server/v3',
  expectMinutes: 2,
  async prepare(work, go) {
    writeFileSync(
      join(work, 'go.mod'),
      wrapperGoMod({
        module: 'local/etcd-build',
        goVersion: '1.24',
        requires: { 'go.etcd.io/etcd/server/v3': VERSIONS.etcd },
      }),
    );
    writeFileSync(join(work, 'tools.go'), toolsGo(['go.etcd.io/etcd/server/v3']));
    await go(['mod', 'tidy'], { cwd: work });
  },
};

/** Helm 3, built from its Go module (its go.mod has no replaces, so a plain wrapper is enough). */
export const helmRecipe: GoRecipe = {
  tool: 'helm',
  version: VERSIONS.helm,
  binary: 'helm',
  buildPackage: 'helm.sh/helm/v3/cmd/helm',
  expectMinutes: 3,
  async prepare(work, go) {
    writeFileSync(
      join(work, 'go.mod'),
      wrapperGoMod({
        module: 'local/helm-build',
        goVersion: '1.24',
        requires: { 'helm.sh/helm/v3': VERSIONS.helm },
      }),
    );
    writeFileSync(join(work, 'tools.go'), toolsGo(['helm.sh/helm/v3/cmd/helm']));
    await go(['mod', 'tidy'], { cwd: work });
  },
  // What helm's Makefile stamps: its version, and the Kubernetes version of its client-go (v0.34 -> 1.34),
  // which `helm template` and `helm lint` assume without a cluster (otherwise v1.20).
  ldflags: [
    `-X helm.sh/helm/v3/internal/version.version=${VERSIONS.helm}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`,
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=34`,
    ]),
  ].join(' '),
};

/**
 * The Vault-API server. OpenBao's root module is not served by the Go module proxy here, so the bed
 * builds HashiCorp Vault 1.14.8, the last MPL-2.0 release (1.14.9 and later are BUSL), which serves the same API with the
 * Kubernetes auth method, KV, database (PostgreSQL), PKI and Kubernetes secrets engines built in,
 * and runs as Vault Agent too.
 *
 * Vault's go.mod replaces its `api` and `sdk` modules with in-tree folders. `api` v1.10.0 is the
 * published match. The in-tree `sdk` of 1.14.x carries a few backports that no published sdk has,
 * so we take sdk v0.9.2 and add them back (small shims below, written for this build), and turn off
 * one 1.15-era registration check that 1.14's enterprise stubs do not satisfy.
 */
export const VAULT_SERVER = {
  version: 'v1.14.8',
  api: 'v1.10.0',
  sdk: 'v0.9.2',
} as const;

const SDK_LOGICAL_SHIM = `package logical

import (
\t"context"
\t"io"
)

// CtxKeyRequestRole is the context key for the role of a login request.
type CtxKeyRequestRole struct{}

func (c CtxKeyRequestRole) String() string { return "request-role" }

type ctxKeyOriginalBody struct{}

func ContextOriginalBodyValue(ctx context.Context) (io.ReadCloser, bool) {
\tv, ok := ctx.Value(ctxKeyOriginalBody{}).(io.ReadCloser)
\treturn v, ok
}

func CreateContextOriginalBody(parent context.Context, body io.ReadCloser) context.Context {
\treturn context.WithValue(parent, ctxKeyOriginalBody{}, body)
}
`;

const SDK_PHYSICAL_SHIM = `package physical

import "context"

// FencingHABackend is an HABackend that can fence writes with the active node's lock.
type FencingHABackend interface {
\tHABackend

\tRegisterActiveNodeLock(l Lock) error
}

type unfencedWriteContextKeyType string

const unfencedWriteContextKey unfencedWriteContextKeyType = "vault-disable-fencing"

// UnfencedWriteCtx marks ctx so that writes through a FencingHABackend skip fencing.
func UnfencedWriteCtx(ctx context.Context) context.Context {
\treturn context.WithValue(ctx, unfencedWriteContextKey, true)
}

// IsUnfencedWrite reports whether ctx was marked by UnfencedWriteCtx.
func IsUnfencedWrite(ctx context.Context) bool {
\tv, ok := ctx.Value(unfencedWriteContextKey).(bool)
\treturn ok && v
}
`;

export const vaultServerRecipe: GoRecipe = {
  tool: 'vault',
  version: VAULT_SERVER.version,
  binary: 'vault',
  buildPackage: 'github.com/hashicorp/vault',
  expectMinutes: 7,
  async prepare(work, go) {
    writeFileSync(join(work, 'go.mod'), 'module local/vault-build\n\ngo 1.24\n');
    const sdkSource = await moduleDir(go, work, `github.com/hashicorp/vault/sdk@${VAULT_SERVER.sdk}`);
    const sdk = join(work, 'sdk');
    cpSync(sdkSource, sdk, { recursive: true });
    makeWritable(sdk);
    const backend = join(sdk, 'framework', 'backend.go');
    const before = readText(backend);
    const after = before.replace(/^(\t*)if p\.ExistenceCheck == nil \{$/m, '$1if false && p.ExistenceCheck == nil {');
    if (after === before) throw new Error(`vault build: the ExistenceCheck guard was not found in ${backend}`);
    writeFileSync(backend, after);
    writeFileSync(join(sdk, 'logical', 'zz_vault114_compat.go'), SDK_LOGICAL_SHIM);
    writeFileSync(join(sdk, 'physical', 'zz_vault114_compat.go'), SDK_PHYSICAL_SHIM);
    writeFileSync(
      join(work, 'go.mod'),
      wrapperGoMod({
        module: 'local/vault-build',
        goVersion: '1.24',
        // gosnowflake's bundled CA has a negative serial, which Go >= 1.23 refuses to parse at start-up
        extra: 'godebug x509negativeserial=1',
        requires: { 'github.com/hashicorp/vault': VAULT_SERVER.version },
        replaces: {
          'github.com/hashicorp/vault/api': `github.com/hashicorp/vault/api ${VAULT_SERVER.api}`,
          'github.com/hashicorp/vault/sdk': './sdk',
        },
      }),
    );
    // resolves and downloads the build graph, writing go.sum (GOFLAGS has -mod=mod)
    await go(['list', '-deps', 'github.com/hashicorp/vault'], { cwd: work });
  },
};

function makeWritable(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    chmodSync(path, entry.isDirectory() ? 0o755 : 0o644);
  }
  chmodSync(dir, 0o755);
}
