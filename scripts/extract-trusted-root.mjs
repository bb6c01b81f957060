#!/usr/bin/env node
// Build step: the public-good trusted root shipped inside the package, taken
// from the TUF seed that @sigstore/tuf embeds (its trusted_root.json target).
// `evidence verify` uses it when no --trusted-root is given, fully offline.
// `evidence trust-root update` fetches a newer one where the network allows.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8'));
const seed = seeds['https://tuf-repo-cdn.sigstore.dev'];
const root = JSON.parse(Buffer.from(seed.targets['trusted_root.json'], 'base64').toString('utf8'));
const version = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/package.json'), 'utf8')).version;
const out = new URL('../src/verifier/public-good-trusted-root.json', import.meta.url);
const text = `${JSON.stringify(root, null, 2)}\n`;
let current = '';
try {
  current = readFileSync(out, 'utf8');
} catch {}
if (current !== text) writeFileSync(out, text);
const meta = new URL('../src/verifier/public-good-trusted-root.meta.json', import.meta.url);
const metaText = `${JSON.stringify({ source: `@sigstore/tuf ${version} seeds.json (https://tuf-repo-cdn.sigstore.dev)` }, null, 2)}\n`;
let currentMeta = '';
try {
  currentMeta = readFileSync(meta, 'utf8');
} catch {}
if (currentMeta !== metaText) writeFileSync(meta, metaText);
