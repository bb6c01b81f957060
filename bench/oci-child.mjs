// One evidence push or pull in a fresh process, for bench/run.mjs: prints
// {"secs":…,"cpuSecs":…,"maxRSSKiB":…,"blob":…,"digest":…,"size":…} on stdout
// (secs: the call alone; cpuSecs: user + system CPU of the whole process).
//   node bench/oci-child.mjs push '{"cwd":…,"bundle":…,"reference":…,"registry":{"plainHttp":true}}'
//   node bench/oci-child.mjs pull '{"cwd":…,"reference":…,"output":…,"force":true,"registry":{"plainHttp":true}}'
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [op, json] = process.argv.slice(2);
if ((op !== 'push' && op !== 'pull') || !json) {
  console.error('usage: node bench/oci-child.mjs push|pull OPTIONS_JSON');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const { push, pull } = await import(join(root, 'dist', 'src/commands/oci.js'));
const options = JSON.parse(json);
const t0 = performance.now();
const result = op === 'push' ? await push(options) : await pull(options);
const secs = (performance.now() - t0) / 1000;
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    secs,
    cpuSecs: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    maxRSSKiB: usage.maxRSS,
    blob: result.blob,
    digest: result.bundleDigest,
    size: result.size,
  }),
);
