#!/usr/bin/env node
// npm run demo: the release job's main path on examples/, end to end, into demo-out/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'demo-out');
const bin = join(root, 'dist', 'cli', 'bin.js');
const bundle = join(out, 'acme-web-1.4.2.evidence.tar.gz');

function evidence(args, { allowFail = false } = {}) {
  console.log(`\n$ evidence ${args.join(' ')}`);
  try {
    execFileSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  } catch (e) {
    if (!allowFail) throw e;
    console.log(`(exit ${e.status})`);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
evidence(['collect', '--config', 'examples/acme-web/evidence.yaml', '-o', bundle]);
evidence(['inspect', bundle]);
evidence(['verify', bundle, '--integrity-only', '--subject', 'examples/acme-web/dist/acme-web-1.4.2.tgz']);
evidence(['extract', bundle, '-o', join(out, 'extracted')]);
console.log(`\nDemo outputs are in ${out}`);
