#!/usr/bin/env node
// npm run bench: throughput and memory of evidence against standard tools on
// the same files, in one run. Figures are ratios, so the machine matters less;
// the results go in docs/performance.md by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// 4. DORA: a 50,000-commit history (linear, with a merged two-commit side
// branch every 100 commits) made with git fast-import, 5,000 deployments to
// one environment and 200 incidents; the whole collector, git calls included.
{
  const { doraCollector } = await import(dist('src/collector/dora.js'));
  const repo = join(work, 'dora-repo');
  mkdirSync(repo);
  const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  execFileSync('git', ['init', '-q', '-b', 'main', repo], { env: gitEnv });
  const COMMITS = 50_000;
  const epoch = 1_700_000_000;
  const stream = [];
  const main = []; // marks on main, oldest first
  let mark = 0;
  const emit = (ref, from, merge) => {
    mark++;
    stream.push(`commit ${ref}`, `mark :${mark}`, `committer Bench <bench@example.com> ${epoch + mark * 600} +0000`, 'data 0');
    if (from) stream.push(`from :${from}`);
    if (merge) stream.push(`merge :${merge}`);
    stream.push('');
    return mark;
  };
  while (mark < COMMITS) {
    if (main.length % 100 === 99 && mark + 3 <= COMMITS) {
      const side = emit('refs/heads/side', emit('refs/heads/side', main[main.length - 5]));
      main.push(emit('refs/heads/main', main.at(-1), side));
    } else main.push(emit('refs/heads/main', main.at(-1)));
  }
  const marksFile = join(work, 'dora-marks');
  execFileSync('git', ['-C', repo, 'fast-import', '--quiet', `--export-marks=${marksFile}`], { input: `${stream.join('\n')}\n`, env: gitEnv, maxBuffer: 1 << 30 });
  const shaOf = [];
  for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
    const [m, sha] = line.split(' ');
    if (m && sha) shaOf[Number(m.slice(1))] = sha;
  }
  const DEPLOYMENTS = 5_000;
  const at = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const deployments = [];
  const incidents = [];
  for (let j = 0; j < DEPLOYMENTS; j++) {
    const m = main[Math.floor(((j + 1) * main.length) / DEPLOYMENTS) - 1];
    const time = epoch + m * 600 + 1800;
    deployments.push(JSON.stringify({ sha: shaOf[m], environment: 'production', status: j % 25 === 24 ? 'failure' : 'success', time: at(time) }));
    if (j % 25 === 10) incidents.push(JSON.stringify({ id: `INC-${j}`, opened: at(time + 3600), resolved: at(time + 3 * 3600), sha: shaOf[m - 3] }));
  }
  const deploymentsFile = join(work, 'dora-deployments.jsonl');
  const incidentsFile = join(work, 'dora-incidents.jsonl');
  writeFileSync(deploymentsFile, `${deployments.join('\n')}\n`);
  writeFileSync(incidentsFile, `${incidents.join('\n')}\n`);
  const asOf = new Date((epoch + mark * 600 + 86400) * 1000);
  const collector = doraCollector({ gitDir: repo, incidents: incidentsFile, environment: 'production', windowSeconds: 300 * 86400, asOf });
  let out;
  const doraSecs = await time(async () => {
    out = await collector.collect({ file: deploymentsFile, label: 'deployments.jsonl' });
  });
  const s = out.summary;
  if (!(s.deployments > 4000 && s.commits > 40_000)) throw new Error(`DORA bench measured too little: ${JSON.stringify(s)}`);
  console.log(`  (window: ${s.deployments} deployments, ${s.commits} commits, ${(out.size / MiB).toFixed(1)} MiB snapshot)`);
  record('DORA 50k commits / 5k deployments', `${doraSecs.toFixed(2)} s`, 'target < 2 s');
}

writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
if (!process.env.BENCH_KEEP && existsSync(work)) rmSync(work, { recursive: true, force: true });
