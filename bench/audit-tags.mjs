#!/usr/bin/env node
// Issue 28 ("Long audits"): `evidence audit oci://…` over 100 and over 500 tags of a real registry (Debian's
// docker-registry on 127.0.0.1), each tag its own signed release, against one curl process fetching the same manifests
// and blobs. Its figures: wall, CPU (user + sys) and peak RSS of the whole command; the CPU per release above fetching
// its bytes, (audit − curl − node -e 0) / N, target under 30 ms; and whether memory is flat (peak RSS at 500 at most
// 10 % over 100).
//   node bench/audit-tags.mjs                  alone (its work folder in the system's temporary folder)
//   BENCH_ONLY=audit node bench/run.mjs        as a part of the bench
// BENCH_AUDIT_ROUNDS=N: measured rounds of each command, interleaved, medians shown (default 3).
// BENCH_KEEP=1: keep the work folder (the bundles, the reports and the curl config) for a look afterwards.
// BENCH_AUDIT_PROF=DIR: after the measured rounds, one audit of each size more under node --cpu-prof (profiles in DIR),
// and one of 500 tags with the old space capped at 96 MiB (does the RSS growth need the memory, or is it the GC's
// slack?); neither is in the figures.
// BENCH_DIST=DIR (alone only): measure that copy of dist/ (inside the checkout, for its node_modules), not dist/ itself,
// say while dist/ is being rebuilt.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = fileURLToPath(new URL('..', import.meta.url));
// BENCH_AUDIT_SIZES=100,500,1000,2000: the repositories audited (default 100 and 500); the flatness ratio is the last
// size's peak over the first's.
const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '100,500').split(',').map(Number);
if (SIZES.length < 2 || !SIZES.every((n, i) => Number.isInteger(n) && n > 0 && (i === 0 || n > SIZES[i - 1])))
  throw new Error(`BENCH_AUDIT_SIZES=${process.env.BENCH_AUDIT_SIZES}: at least two growing counts of tags`);
const LARGEST = SIZES.at(-1);
// Every release is made inside 2026, twelve hours apart (500 of them end in September), so the period covers them all.
const SINCE = '2026-01-01';
const UNTIL = '2026-12-31';
const FIRST_EPOCH = Date.UTC(2026, 0, 1) / 1000;
// Twelve hours apart up to 600 releases; closer for more, so that every one stays inside 2026.
const STEP_SECONDS = LARGEST <= 600 ? 12 * 3600 : Math.floor((300 * 86400) / LARGEST);
const PRODUCT = 'bench-web';
const versionOf = (i) => `1.${i}.0`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The benchmark. `work` is a folder it may use (its own subfolder is removed at the end), `dist(p)` the path of
 * dist/p, `record(name, value, note)` how a figure is told (bench/run.mjs's).
 */
export async function benchAuditTags({ work, dist, record }) {
  const { REGISTRY_BIN, registrySkipReason, startRegistry } = await import('../scripts/local-registry.mjs');
  const skip =
    registrySkipReason() ??
    (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status !== 0
      ? 'curl not installed (apt-get install curl)'
      : undefined) ??
    (existsSync('/usr/bin/time') ? undefined : 'GNU time not installed (apt-get install time)');
  if (skip) {
    console.log(`${'audit over OCI tags'.padEnd(52)} skipped: ${skip}`);
    return;
  }
  const rounds = Number(process.env.BENCH_AUDIT_ROUNDS ?? 3);
  const base = join(work, 'audit-tags');
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  // The CLI as installed (package.json's bin), or where it was before it moved.
  const bin = [dist('bin/evidence.js'), dist('cli/bin.js')].find((f) => existsSync(f));
  if (!bin) throw new Error(`no CLI in ${dist('')}: npm run build`);

  const registry = await startRegistry();
  const onSignal = () => {
    registry.stopSync();
    if (!process.env.BENCH_KEEP) rmSync(base, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', registry.stopSync);
  try {
    const registryPid = pidServing(registry.storageDir);
    const registryCpu = () => {
      const stat = `/proc/${registryPid}/stat`;
      if (!registryPid || !existsSync(stat)) return NaN;
      const f = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
    };
    console.log(
      `  (registry: ${execFileSync(REGISTRY_BIN, ['--version']).toString().trim().split(' ').slice(1).join(' ')} on ${registry.host}; CLI ${bin}; Node ${process.version})`,
    );

    // Releases 0–499 in bench/audit-500, and 0–99 again in bench/audit-100: two repositories of one registry.
    const repos = Object.fromEntries(SIZES.map((n) => [n, `bench/audit-${n}`]));
    const t0 = performance.now();
    const pushed = await makeReleases({ base, dist, host: registry.host, repos });
    console.log(
      `  (generation, not measured: ${pushed.count} signed bundles made and ${pushed.pushes} pushes in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${pushed.workers} worker threads)`,
    );

    const timed = (args, label) => {
      const out = join(base, 'time.txt');
      const cpu0 = registryCpu();
      const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', ...args], {
        cwd: base,
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stderr.trim().slice(-2000)}`);
      const [wall, user, sys, rssKiB] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      return { wall, cpu: user + sys, user, sys, rssMiB: rssKiB / 1024, registryCpu: registryCpu() - cpu0 };
    };

    const audit = (n, nodeFlags = []) => {
      const cache = join(base, `cache-${n}`);
      const report = join(base, `audit-${n}.json`);
      // A fresh cache each run: every bundle is downloaded, as in a first audit of the period.
      rmSync(cache, { recursive: true, force: true });
      rmSync(report, { force: true });
      const args = [
        process.execPath,
        ...nodeFlags,
        bin,
        'audit',
        `oci://${registry.host}/${repos[n]}`,
        '--since',
        SINCE,
        '--until',
        UNTIL,
        '--key',
        pushed.pub,
        '--plain-http',
        '--json',
        '-o',
        report,
        '--cache',
        cache,
        '-q',
      ];
      const m = timed(args, `evidence audit ${repos[n]}`);
      // The run counts only if it verified every release as its own and every one held.
      const { summary } = JSON.parse(readFileSync(report, 'utf8'));
      const c = summary.counts;
      if (c.population !== n || c.examined !== n || c.holds !== n || summary.verdict !== 'holds')
        throw new Error(`audit of ${repos[n]}: expected ${n} releases that hold, got ${JSON.stringify(c)}`);
      const digests = new Set(summary.members.map((mb) => mb.evidence?.bundle?.digest));
      if (digests.size !== n) throw new Error(`audit of ${repos[n]}: ${digests.size} distinct bundles for ${n} tags`);
      return m;
    };

    // One curl process fetching what the audit fetches: the tag list, each tag's manifest, each bundle (the layer).
    const curl = (n) => {
      const out = join(base, `curl-${n}`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      const url = (path) => `http://${registry.host}/v2/${repos[n]}${path}`;
      const lines = [
        'header = "Accept: application/vnd.oci.image.manifest.v1+json"',
        `url = "${url('/tags/list')}"`,
        `output = "${join(out, 'tags.json')}"`,
      ];
      for (const r of pushed.releases.slice(0, n))
        lines.push(
          `url = "${url(`/manifests/${r.tag}`)}"`,
          `output = "${join(out, `m-${r.tag}`)}"`,
          `url = "${url(`/blobs/${r.bundleDigest}`)}"`,
          `output = "${join(out, `b-${r.tag}`)}"`,
        );
      const config = join(base, `curl-${n}.conf`);
      writeFileSync(config, `${lines.join('\n')}\n`);
      // --parallel-max 4: the audit's default --concurrency.
      const m = timed(['curl', '-sS', '-f', '--parallel', '--parallel-max', '4', '-K', config], `curl -K ${config}`);
      const files = readdirSync(out).length;
      if (files !== 1 + 2 * n) throw new Error(`curl fetched ${files} files, expected ${1 + 2 * n}`);
      return m;
    };

    const nodeStart = () => timed([process.execPath, '-e', '0'], 'node -e 0');

    // Warm once (page cache, the compile cache, the registry's own caches), not measured.
    audit(SIZES[0]);
    curl(SIZES[0]);
    const runs = { node: [] };
    for (const n of SIZES) runs[n] = { audit: [], curl: [] };
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 3; i++) runs.node.push(nodeStart());
      for (const n of SIZES) {
        runs[n].audit.push(audit(n));
        runs[n].curl.push(curl(n));
      }
    }

    const of = (xs, key) => median(xs.map((x) => x[key]));
    const list = (xs, key, digits = 2) => xs.map((x) => x[key].toFixed(digits)).join(', ');
    const nodeCpu = of(runs.node, 'cpu');
    const note = `median of ${rounds}, Node ${process.version}`;
    record('audit: node -e 0, CPU', `${(nodeCpu * 1000).toFixed(0)} ms`, `median of ${runs.node.length}`);
    const perRelease = {};
    for (const n of SIZES) {
      const a = runs[n].audit;
      const c = runs[n].curl;
      console.log(
        `  (${n} releases, rounds: audit wall ${list(a, 'wall')} s, CPU ${list(a, 'cpu')} s, RSS ${list(a, 'rssMiB', 0)} MiB, registry CPU ${list(a, 'registryCpu')} s; curl wall ${list(c, 'wall')} s, CPU ${list(c, 'cpu')} s, registry CPU ${list(c, 'registryCpu')} s)`,
      );
      record(`audit ${n} OCI tags: evidence audit --key, wall`, `${of(a, 'wall').toFixed(2)} s`, note);
      record(
        `audit ${n} OCI tags: evidence audit --key, CPU`,
        `${of(a, 'cpu').toFixed(2)} s`,
        `user + sys, ${note}; user ${of(a, 'user').toFixed(2)} s, sys ${of(a, 'sys').toFixed(2)} s`,
      );
      record(`audit ${n} OCI tags: evidence audit --key, peak RSS`, `${of(a, 'rssMiB').toFixed(0)} MiB`, note);
      record(`audit ${n} OCI tags: curl, the same bytes, wall`, `${of(c, 'wall').toFixed(2)} s`, note);
      record(`audit ${n} OCI tags: curl, the same bytes, CPU`, `${of(c, 'cpu').toFixed(2)} s`, note);
      perRelease[n] = ((of(a, 'cpu') - of(c, 'cpu') - nodeCpu) / n) * 1000;
      record(
        `audit ${n} OCI tags: CPU per release above fetching`,
        `${perRelease[n].toFixed(1)} ms`,
        `(audit − curl − node -e 0) / ${n}; target < 30 ms`,
      );
    }
    const [small, large] = [SIZES[0], LARGEST].map((n) => of(runs[n].audit, 'rssMiB'));
    record(
      `audit peak RSS ratio (${LARGEST} / ${SIZES[0]} tags)`,
      `${(large / small).toFixed(2)}×`,
      `${small.toFixed(0)} → ${large.toFixed(0)} MiB; target ≤ 1.10× (flat)`,
    );
    const prof = process.env.BENCH_AUDIT_PROF;
    if (prof) {
      for (const n of SIZES) audit(n, ['--cpu-prof', '--cpu-prof-dir', resolve(prof, `audit-${n}`)]);
      const capped = audit(LARGEST, ['--max-old-space-size=96']);
      console.log(
        `  (profiles in ${resolve(prof)}; ${LARGEST} tags with --max-old-space-size=96: held, CPU ${capped.cpu.toFixed(2)} s, peak RSS ${capped.rssMiB.toFixed(0)} MiB)`,
      );
    }
    return { perRelease, rss: { [SIZES[0]]: small, [LARGEST]: large } };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', registry.stopSync);
    await registry.stop();
    if (!process.env.BENCH_KEEP) rmSync(base, { recursive: true, force: true });
  }
}

/** The registry's process id (startRegistry does not give it), found by the config beside its storage folder. */
function pidServing(storageDir) {
  const config = join(storageDir, '..', 'config.yml');
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(config)) return Number(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/**
 * Makes and pushes the releases, in worker threads (one a core): each release its own bundle, since the audit holds
 * an authentic bundle to the tag it is listed under (its version must be the tag's), so one bundle under many tags
 * would be RELEASE_MISMATCH on all but one. A CycloneDX SBOM of 100 components and a JUnit report of 50 tests in
 * each, signed with a P-256 key made with openssl, with the standard statements (collect --sign's default).
 */
async function makeReleases({ base, dist, host, repos }) {
  const key = join(base, 'key.pem');
  const pub = join(base, 'pub.pem');
  const raw = join(base, 'ec.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', raw]);
  execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', raw, '-out', key]);
  execFileSync('openssl', ['pkey', '-in', raw, '-pubout', '-out', pub]);
  const sbom = join(base, 'sbom.cdx.json');
  writeFileSync(
    sbom,
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      metadata: { component: { type: 'application', name: PRODUCT, version: '1' } },
      components: Array.from({ length: 100 }, (_, c) => ({
        type: 'library',
        name: `pkg${c}`,
        version: `${c % 30}.0.0`,
        purl: `pkg:npm/pkg${c}@${c % 30}.0.0`,
        licenses: [{ license: { id: 'MIT' } }],
      })),
    }),
  );
  const junit = join(base, 'junit.xml');
  const cases = Array.from({ length: 50 }, (_, t) => `  <testcase classname="bench" name="case ${t}" time="0.01"/>`);
  writeFileSync(
    junit,
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n<testsuite name="bench" tests="50" failures="0" errors="0">\n${cases.join('\n')}\n</testsuite>\n</testsuites>\n`,
  );
  const bundles = join(base, 'bundles');
  mkdirSync(bundles);
  const count = Math.max(...Object.keys(repos).map(Number));
  const jobs = Array.from({ length: count }, (_, i) => ({
    i,
    tag: versionOf(i),
    repos: Object.entries(repos)
      .filter(([n]) => i < Number(n))
      .map(([, repo]) => repo),
  }));
  // Collect costs about 0.2 s of CPU a bundle (most of it compiling the CycloneDX schema, each collect anew), so the
  // work is shared out among threads; the last of them shares its core with the registry.
  const workers = Math.max(1, Math.min(availableParallelism(), 8));
  const slices = Array.from({ length: workers }, (_, w) => jobs.filter((j) => j.i % workers === w));
  const results = await Promise.all(
    slices.map(
      (slice) =>
        new Promise((done, fail) => {
          const worker = new Worker(fileURLToPath(import.meta.url), {
            workerData: {
              auditTagsWorker: true,
              collectJs: dist('src/commands/collect.js'),
              ociJs: dist('src/commands/oci.js'),
              base,
              bundles,
              key,
              sbom,
              junit,
              host,
              jobs: slice,
            },
          });
          worker.once('message', done);
          worker.once('error', fail);
          worker.once('exit', (code) => code !== 0 && fail(new Error(`bundle worker exited ${code}`)));
        }),
    ),
  );
  const releases = results.flat().sort((a, b) => a.i - b.i);
  if (releases.length !== count) throw new Error(`made ${releases.length} releases of ${count}`);
  return { pub, releases, count, pushes: jobs.reduce((s, j) => s + j.repos.length, 0), workers };
}

/** In a worker thread: collect, sign and push each release of the slice; posts what each push named. */
async function makeSlice(data) {
  const { collect } = await import(data.collectJs);
  const { push } = await import(data.ociJs);
  const out = [];
  for (const job of data.jobs) {
    const bundle = join(data.bundles, `${PRODUCT}-${job.tag}.tar.gz`);
    await collect({
      cwd: data.base,
      // The source from the environment, as in CI: no git call, and the same repository recorded in every bundle.
      env: {
        SOURCE_DATE_EPOCH: String(FIRST_EPOCH + job.i * STEP_SECONDS),
        GITHUB_REPOSITORY: 'bench/web',
        GITHUB_SHA: job.i.toString(16).padStart(40, '0'),
        GITHUB_REF: `refs/tags/v${job.tag}`,
      },
      output: bundle,
      name: PRODUCT,
      version: job.tag,
      sbom: [data.sbom],
      junit: [data.junit],
      force: true,
      sign: { key: data.key },
    });
    let pushed;
    for (const repo of job.repos)
      pushed = await push({
        cwd: data.base,
        bundle,
        reference: `oci://${data.host}/${repo}:${job.tag}`,
        registry: { plainHttp: true },
      });
    out.push({ i: job.i, tag: job.tag, bundleDigest: pushed.bundleDigest, manifestDigest: pushed.digest });
  }
  parentPort.postMessage(out);
}

if (!isMainThread && workerData?.auditTagsWorker) {
  await makeSlice(workerData);
} else if (isMainThread && process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Alone: a work folder of its own in the system's temporary folder, removed at the end (unless BENCH_KEEP).
  const work = mkdtempSync(join(tmpdir(), 'evidence-bench-audit-'));
  const record = (name, value, note) => console.log(`${name.padEnd(52)} ${value}${note ? `   (${note})` : ''}`);
  try {
    const distDir = resolve(process.env.BENCH_DIST ?? join(root, 'dist'));
    await benchAuditTags({ work, dist: (p) => join(distDir, p), record });
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}
