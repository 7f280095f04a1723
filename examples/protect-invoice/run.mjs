#!/usr/bin/env node
// Runs the example inside this monorepo: builds the workspace (the SDK lands in dist/libs/sdk),
// compiles src/ to dist/examples/protect-invoice with the same SWC settings and path aliases,
// then starts it. Outside the monorepo, install @plystra/sdk and build the app your usual way.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
execFileSync(process.execPath, [join(root, 'tools', 'build.mjs'), '--quiet'], { stdio: 'inherit' });

const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { compilerOptions } = JSON.parse(readFileSync(join(here, 'tsconfig.json'), 'utf8'));
const paths = { ...JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths, ...compilerOptions.paths };
const srcDir = join(here, 'src');
for (const name of readdirSync(srcDir).filter((f) => f.endsWith('.ts'))) {
  const file = join(srcDir, name);
  const out = join(root, 'dist', relative(root, file)).replace(/\.ts$/, '.js');
  const result = await swc.transformFile(file, { ...swcrc, swcrc: false, filename: file, jsc: { ...swcrc.jsc, baseUrl: root, paths } });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, result.code);
}
await import(join(root, 'dist', 'examples', 'protect-invoice', 'src', 'main.js'));
