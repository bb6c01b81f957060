#!/usr/bin/env node
// npm run bench: throughput and memory of evidence against standard tools on
// the same files, in one run. Figures are ratios, so the machine matters less;
// the results go in docs/performance.md by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const work = join(root, '.bench');
const dist = (p) => join(root, 'dist', p);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const results = [];
const record = (name, value, note) => {
  results.push({ name, value, note });
  console.log(`${name.padEnd(52)} ${value}${note ? `   (${note})` : ''}`);
};

async function time(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}
function timeCmd(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return (performance.now() - t0) / 1000;
}

/** A file of pseudo-random bytes, written in 64 MiB chunks (incompressible). */
async function makeFile(path, size, compressible = false) {
  const out = createWriteStream(path);
  const chunk = compressible ? Buffer.from('evidence bundle benchmark line, fairly compressible text 0123456789\n'.repeat(1024 * 1024).slice(0, 64 * MiB)) : randomBytes(64 * MiB);
  for (let left = size; left > 0; left -= chunk.length) {
    if (!out.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / GiB).toFixed(0)} GiB, node ${process.version}, ${execFileSync('openssl', ['version']).toString().trim()}`);
console.log('');

const { hashSubjects } = await import(dist('src/collector/subjects.js'));
const { collect } = await import(dist('src/commands/collect.js'));
const { verify } = await import(dist('src/commands/verify.js'));

// 1. Subject hashing: 1 GiB, evidence (node:crypto, streamed) against openssl dgst.
const big = join(work, 'artifact-1GiB.bin');
await makeFile(big, GiB);
timeCmd('cat', [big], { stdio: ['ignore', 'ignore', 'inherit'] }); // warm the page cache for both
// Interleaved rounds and medians: this machine's throughput drifts by ±30% between runs.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const opensslRuns = [];
const oursRuns = [];
for (let round = 0; round < 5; round++) {
  opensslRuns.push(timeCmd('openssl', ['dgst', '-sha256', big]));
  oursRuns.push(await time(() => hashSubjects([{ file: big, name: 'a' }])));
}
const opensslSecs = median(opensslRuns);
const oursSecs = median(oursRuns);
record('subject hashing, 1 GiB: openssl dgst -sha256', `${(GiB / MiB / opensslSecs).toFixed(0)} MiB/s`, 'median of 5');
record('subject hashing, 1 GiB: evidence', `${(GiB / MiB / oursSecs).toFixed(0)} MiB/s`, 'median of 5');
record('subject hashing ratio (evidence / openssl)', `${(opensslSecs / oursSecs).toFixed(2)}×`, 'target ≥ 0.9×');

// 2. Collect and verify a 200 MB evidence set against tar czf / tar xzf + sha256sum -c.
const set = join(work, 'set');
mkdirSync(set);
const files = [];
for (let i = 0; i < 20; i++) {
  const f = join(set, `report-${String(i).padStart(2, '0')}.${i % 2 ? 'bin' : 'log'}`);
  await makeFile(f, 10 * 1000 * 1000, i % 2 === 0);
  files.push(f);
}
const tarGz = join(work, 'set.tar.gz');
const tarSecs = timeCmd('tar', ['czf', tarGz, '-C', set, '.']);
const bundle = join(work, 'set.evidence.tar.gz');
const collectSecs = await time(() => collect({ cwd: work, env: { SOURCE_DATE_EPOCH: '0' }, output: bundle, name: 'bench', version: '1', file: files.map((f) => `${f}=raw`), force: true }));
record('collect 200 MB (20 files): tar czf', `${tarSecs.toFixed(2)} s`);
record('collect 200 MB (20 files): evidence collect', `${collectSecs.toFixed(2)} s`);
record('collect ratio (evidence / tar czf)', `${(collectSecs / tarSecs).toFixed(2)}×`, 'time; lower is better');

const untar = join(work, 'untar');
mkdirSync(untar);
const baseSecs = timeCmd('tar', ['xzf', bundle, '-C', untar]) + timeCmd('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: untar });
const verifySecs = await time(async () => {
  const { report } = await verify({ cwd: work, bundle, integrityOnly: true });
  if (!report.ok) throw new Error('bench bundle did not verify');
});
record('verify 200 MB: tar xzf + sha256sum -c', `${baseSecs.toFixed(2)} s`);
record('verify 200 MB: evidence verify --integrity-only', `${verifySecs.toFixed(2)} s`);
record('verify ratio (evidence / tar + sha256sum)', `${(verifySecs / baseSecs).toFixed(2)}×`, 'time; lower is better');

// 3. Peak RSS of verify on a 1 GiB bundle, in a fresh process.
const bigBundle = join(work, 'big.evidence.tar.gz');
await collect({ cwd: work, env: { SOURCE_DATE_EPOCH: '0' }, output: bigBundle, name: 'big', version: '1', file: [`${big}=raw`], force: true });
const probe = `const { verify } = await import(${JSON.stringify(dist('src/commands/verify.js'))});
const { report } = await verify({ cwd: ${JSON.stringify(work)}, bundle: ${JSON.stringify(bigBundle)}, integrityOnly: true });
if (!report.ok) process.exit(1);
console.log(process.resourceUsage().maxRSS);`;
const t0 = performance.now();
const rssKiB = Number(execFileSync(process.execPath, ['--input-type=module', '-e', probe]).toString().trim());
const bigSecs = (performance.now() - t0) / 1000;
record(`verify ${(statSync(bigBundle).size / GiB).toFixed(2)} GiB bundle: peak RSS`, `${(rssKiB / 1024).toFixed(0)} MiB`, 'target < 150 MiB');
record('verify 1 GiB bundle: time', `${bigSecs.toFixed(1)} s`);

writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
if (!process.env.BENCH_KEEP && existsSync(work)) rmSync(work, { recursive: true, force: true });
