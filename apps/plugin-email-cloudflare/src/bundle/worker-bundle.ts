import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { transformSync } from '@swc/core';

export interface WorkerBundleOptions {
  /** Workspace root (holds tsconfig.base.json). */
  root: string;
  /** Entry module, relative to the root. */
  entry: string;
  /** Names the entry exports to the runtime (`default`, Durable Object classes…). */
  exports: string[];
}

interface BundledModule {
  id: string;
  code: string;
  links: Record<string, string>;
}

const EXTERNAL = /^cloudflare:/;
const REQUIRE = /\brequire\("([^"]+)"\)/g;

/** The workspace root: the nearest folder above `from` holding tsconfig.base.json. */
export function workspaceRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.base.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no tsconfig.base.json above ${from}`);
  }
}

function aliasesOf(root: string): Record<string, string> {
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  return Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, target]));
}

function resolveSpecifier(root: string, aliases: Record<string, string>, from: string, specifier: string): string {
  if (EXTERNAL.test(specifier)) return specifier;
  const base = aliases[specifier] ? join(root, aliases[specifier]) : specifier.startsWith('.') ? resolve(root, dirname(from), specifier) : null;
  if (!base) throw new Error(`${from} imports "${specifier}": a worker can use only workspace sources and cloudflare: modules`);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return relative(root, candidate);
  }
  throw new Error(`${from} imports "${specifier}", which does not resolve to a TypeScript file`);
}

/**
 * One ES module for workerd from the worker's TypeScript sources. Each source is compiled by SWC to
 * a CommonJS function and wired through a small require table, with `@plystra/*` aliases resolved
 * from tsconfig.base.json and `cloudflare:` modules imported natively. Anything else (npm packages,
 * Node built-ins) is refused, since the Workers runtime would not have it.
 */
export function bundleWorker(options: WorkerBundleOptions): string {
  const aliases = aliasesOf(options.root);
  const modules = new Map<string, BundledModule>();
  const externals = new Set<string>();
  const queue = [options.entry];
  while (queue.length) {
    const id = queue.shift()!;
    if (modules.has(id)) continue;
    const source = readFileSync(join(options.root, id), 'utf8');
    const { code } = transformSync(source, {
      filename: id,
      swcrc: false,
      sourceMaps: false,
      module: { type: 'commonjs', strict: true },
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
    });
    const links: Record<string, string> = {};
    for (const [, specifier] of code.matchAll(REQUIRE)) {
      const target = resolveSpecifier(options.root, aliases, id, specifier);
      links[specifier] = target;
      if (EXTERNAL.test(target)) externals.add(target);
      else queue.push(target);
    }
    modules.set(id, { id, code, links });
  }

  const externalList = [...externals].sort();
  return [
    ...externalList.map((name, i) => `import * as __external${i} from ${JSON.stringify(name)};`),
    `const __externals = { ${externalList.map((name, i) => `${JSON.stringify(name)}: __external${i}`).join(', ')} };`,
    'const __definitions = {',
    ...[...modules.values()].map((m) => `${JSON.stringify(m.id)}: [function (module, exports, require) {\n${m.code}\n}, ${JSON.stringify(m.links)}],`),
    '};',
    'const __cache = {};',
    'function __require(id) {',
    '  if (id in __externals) return __externals[id];',
    '  if (__cache[id]) return __cache[id].exports;',
    '  const [factory, links] = __definitions[id];',
    '  const module = (__cache[id] = { exports: {} });',
    '  factory(module, module.exports, (specifier) => __require(links[specifier]));',
    '  return module.exports;',
    '}',
    `const __entry = __require(${JSON.stringify(options.entry)});`,
    ...options.exports.map((name) => (name === 'default' ? 'export default __entry.default;' : `export const ${name} = __entry.${name};`)),
    '',
  ].join('\n');
}

export const CLOUDFLARE_WORKER_ENTRY = 'apps/plugin-email-cloudflare/src/worker.ts';
export const CLOUDFLARE_WORKER_EXPORTS = ['default', 'IdempotencyLedger'];

/** The provider's worker as one module. */
export function bundleEmailWorker(root = workspaceRoot(__dirname)): string {
  return bundleWorker({ root, entry: CLOUDFLARE_WORKER_ENTRY, exports: CLOUDFLARE_WORKER_EXPORTS });
}
