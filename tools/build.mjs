#!/usr/bin/env node
// Compiles every TypeScript source of the workspace (apps, libs, migrations, tools, bench) to
// dist/ with SWC, rewriting the @plystra/* path aliases to relative imports. Incremental: a file
// is recompiled only when its source is newer than its output. Specs are not compiled.
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist');
const quiet = process.argv.includes('--quiet');
const sourceDirs = ['apps', 'libs', 'migrations', 'tools', 'bench'];

const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.spec.ts')) yield full;
  }
}

const started = Date.now();
let compiled = 0;
const expected = new Set();
for (const dir of sourceDirs) {
  for (const file of walk(join(root, dir))) {
    const out = join(outRoot, relative(root, file)).replace(/\.ts$/, '.js');
    expected.add(out);
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) continue;
    const result = await swc.transformFile(file, {
      ...swcrc,
      swcrc: false,
      filename: file,
      sourceFileName: relative(dirname(out), file),
      jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, result.code + `\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
    if (result.map) writeFileSync(out + '.map', result.map);
    compiled++;
  }
}
// Remove outputs whose source is gone, so a deleted migration can never run from a stale build.
for (const dir of sourceDirs) {
  const outDir = join(outRoot, dir);
  if (!existsSync(outDir)) continue;
  const stack = [outDir];
  while (stack.length) {
    const d = stack.pop();
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name.endsWith('.js') && !expected.has(full)) {
        rmSync(full);
        rmSync(full + '.map', { force: true });
      }
    }
  }
}
if (!quiet) console.log(`build: ${compiled} file(s) compiled to dist/ in ${Date.now() - started} ms`);
