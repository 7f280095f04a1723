import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { bundleEmailWorker, workspaceRoot } from './worker-bundle';

/** `node dist/apps/plugin-email-cloudflare/src/bundle/main.js [out]`: writes the deployable worker module. */
const root = workspaceRoot(__dirname);
const out = process.argv[2] ?? join(root, 'dist/apps/plugin-email-cloudflare/worker.mjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bundleEmailWorker(root));
console.log(`worker bundle: ${relative(process.cwd(), out)}`);
