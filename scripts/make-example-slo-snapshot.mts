// Makes examples/acme-web/slo/availability.snapshot.json: a snapshot taken
// live from a real Prometheus (Debian's package) on 127.0.0.1, backfilled with
// 31 days of per-minute request counters, so the demo can show an SLO taken
// offline with --slo-snapshot. Run: npx tsx scripts/make-example-slo-snapshot.mts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { readMembers } from '../test/helpers/members.js';
import { runCli } from '../test/helpers/io.js';

const AS_OF = Date.parse('2026-11-01T00:00:00Z') / 1000;
const times: number[] = [];
for (let t = AS_OF - 31 * 86400; t <= AS_OF; t += 60) times.push(t);
// A quiet month at 0.03 % errors, with a 2 % spike for ten minutes a week ago.
const spike = (t: number): boolean => t > AS_OF - 7 * 86400 && t <= AS_OF - 7 * 86400 + 600;
let e = 0;
const errors = times.map((t, i) => {
  if (i > 0) e += spike(t) ? 2 : 0.03;
  return Math.round(e * 1000) / 1000;
});
const prom = await startPrometheus([
  { selector: 'http_requests_total{code="200"}', points: times.map((t, i) => [t, i * 100 - (errors[i] as number)]) },
  { selector: 'http_requests_total{code="500"}', points: times.map((t, i) => [t, errors[i] as number]) },
]);
const dir = await mkdtemp(join(tmpdir(), 'slo-example-'));
try {
  const defs = new URL('../examples/acme-web/slo/slos.yaml', import.meta.url).pathname;
  const r = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'x',
      '--version',
      '1',
      '--slo',
      defs,
      '--prometheus',
      prom.url,
      '--as-of',
      '2026-11-01T00:00:00Z',
      '-q',
    ],
    { cwd: dir },
  );
  if (r.code !== 0) throw new Error(r.stderr);
  const blob = (await readMembers(join(dir, 'b.tar.gz'))).find((m) => m.name.startsWith('blobs/'));
  const snapshot: unknown = JSON.parse((blob as { body: Buffer }).body.toString());
  await writeFile(
    new URL('../examples/acme-web/slo/availability.snapshot.json', import.meta.url),
    `${JSON.stringify(snapshot, null, 2)}\n`,
  );
  console.log(
    await readFile(new URL('../examples/acme-web/slo/availability.snapshot.json', import.meta.url), 'utf8').then(
      (t) => `${t.length} bytes written`,
    ),
  );
} finally {
  await prom.stop();
  await rm(dir, { recursive: true, force: true });
}
