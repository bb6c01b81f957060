import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../cli/exit-codes.js';
import { fetchAttestations } from '../../../src/commands/fetch.js';
import { MAX_ATTESTATION_BYTES } from '../../../src/core/layout.js';
import type { AttestationSetReport } from '../../../src/verifier/report.js';
import { useFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { runCli } from '../../helpers/io.js';
import { EXAMPLE, keyPair, release } from '../../helpers/release-bundles.js';

/**
 * `evidence fetch --subject-digest` against the fake GitHub: what GitHub's attestations API returns for a digest is
 * the evidence under test, not the user's input. An attestation in its answer that holds no Sigstore bundle (not a
 * bundle by its schema, a media type that is none, a string, a number JavaScript cannot hold, more bytes than a bundle
 * is) is a failed verification (exit 1) named by its place in the answer and the API's URL; the others are still
 * verified and reported, and the answer is never `verified`. The API failing, or answering what is not JSON, is still
 * a source that failed (exit 2).
 */

let dir: string;
/** The Sigstore bundles (NAME.sigstore.jsonl's lines) of a release signed with key.pem, and its artifact's digest. */
let lines: unknown[];
let digest: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-attestations-fetch-'));
  await mkdir(join(dir, 'bundles'));
  await keyPair(dir, 'key');
  await release(dir, '1.0.0', 'key', false);
  lines = (await readFile(join(dir, 'bundles/acme-web-1.0.0.evidence.sigstore.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
  // Every statement signed (ours and the standard ones) names the release's artifact: GitHub files each under it.
  digest = `sha256:${createHash('sha256')
    .update(await readFile(join(EXAMPLE, 'dist/acme-web-1.4.2.tgz')))
    .digest('hex')}`;
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fakeGitHub = useFakeGitHub();
let gh: FakeGitHub;

/** The API's answer for the artifact's digest: these bundles, in this order. */
function recorded(bundles: unknown[]): void {
  gh = fakeGitHub();
  gh.public = true;
  for (const [i, bundle] of bundles.entries()) gh.attestations.push({ id: i + 1, bundle, digests: [digest] });
}

/** `evidence fetch --subject-digest` of the artifact's digest with the key, into a new folder (`out`): its JSON report. */
async function fetchDigest(): Promise<{ code: number; stderr: string; out: string; report?: AttestationSetReport }> {
  const out = await mkdtemp(join(dir, 'out-'));
  const args = ['--subject-digest', digest, '--api-url', gh.apiUrl, '-o', out, '--key', join(dir, 'key.pub.pem')];
  const r = await runCli(['fetch', '--repo', `${gh.owner}/${gh.repo}`, ...args, '--json'], { cwd: dir, env: {} });
  const report = r.stdout ? { report: JSON.parse(r.stdout) as AttestationSetReport } : {};
  return { code: r.code, stderr: r.stderr, out, ...report };
}

const url = () => `${gh.apiUrl}/repos/${gh.owner}/${gh.repo}/attestations/${digest}`;
const failedCodes = (b: AttestationSetReport['bundles'][number] | undefined) =>
  (b?.checks ?? []).filter((c) => !c.ok).map((c) => c.code);
/** The first bundle with another media type: JSON, with every part of a bundle but the one that says it is one. */
const otherMediaType = () => ({ ...(lines[0] as object), mediaType: 'application/json' });

describe('fetch --subject-digest: an attestation of the answer that holds no Sigstore bundle', () => {
  it('beside genuine ones: a failed verification (exit 1) naming it; the genuine ones are verified and cover the digest', async () => {
    recorded([...lines, { hello: 'world' }]);
    const r = await fetchDigest();
    expect(r.code, r.stderr).toBe(1);
    const report = r.report as AttestationSetReport;
    expect(report.verdict).toBe('failed');
    expect(report.source).toBe(url());
    const n = lines.length + 1;
    expect(report.bundles.map((b) => [b.line, b.ok, b.malformed ?? false])).toEqual([
      ...lines.map((_, i) => [i + 1, true, false]),
      [n, false, true],
    ]);
    expect(failedCodes(report.bundles[n - 1])).toEqual(['ATTESTATION_MALFORMED']);
    // Named by its place in GitHub's answer and the URL that answers.
    expect(report.bundles[n - 1]?.checks[0]?.message).toContain(`attestation ${n} of ${n} from ${url()}`);
    // Reported, never called verified; what the genuine ones state still covers the digest.
    expect(report.ok).toBe(false);
    expect(report.artifacts).toEqual([expect.objectContaining({ name: digest, ok: true })]);
    expect(report.artifacts[0]?.coveredBy).toHaveLength(lines.length);
  }, 60_000);

  it('none that is a bundle (a string first, JSON that is none): a failed verification listing each, not refused input', async () => {
    recorded(['not a bundle', { hello: 'world' }]);
    const r = await fetchDigest();
    expect(r.code, r.stderr).toBe(1);
    const report = r.report as AttestationSetReport;
    expect(report.verdict).toBe('failed');
    // One a line, as written: a first line that is no object does not make the file one pretty-printed bundle.
    expect(report.bundles.map((b) => [b.line, b.malformed])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(report.bundles[0]?.checks[0]?.message).toContain(`attestation 1 of 2 from ${url()}`);
    expect(report.artifacts[0]?.ok).toBe(false);
  }, 60_000);

  it("a media type that is not a Sigstore bundle's: malformed, exit 1", async () => {
    recorded([otherMediaType(), ...lines.slice(1)]);
    const r = await fetchDigest();
    expect(r.code, r.stderr).toBe(1);
    expect(r.report?.verdict).toBe('failed');
    expect(r.report?.bundles[0]).toMatchObject({ line: 1, malformed: true });
    expect(r.report?.bundles.slice(1).every((b) => b.ok)).toBe(true);
  }, 60_000);

  it('one more bytes than a Sigstore bundle is: that one malformed, the others verified, exit 1', async () => {
    // Many short strings, not one long one: json-with-bigint (octokit's parser) overflows its stack on a string of
    // 16 million characters under Node 20 and octokit then hands back the text (Node 22 parses it natively).
    const padding = Array.from({ length: MAX_ATTESTATION_BYTES / 1024 + 1 }, () => 'x'.repeat(1024));
    const padded = { ...(lines[0] as object), padding };
    recorded([padded, ...lines]);
    const r = await fetchDigest();
    expect(r.code, r.stderr).toBe(1);
    expect(r.report?.verdict).toBe('failed');
    expect(r.report?.bundles[0]).toMatchObject({ line: 1, malformed: true });
    expect(r.report?.bundles[0]?.checks[0]?.message).toMatch(/more than \d+ bytes, more than a Sigstore bundle is/);
    expect(r.report?.bundles.slice(1).every((b) => b.ok)).toBe(true);
  }, 60_000);

  it('an integer past 2^53 (octokit reads a BigInt): written as GitHub sent it, judged as the others, exit 1', async () => {
    gh = fakeGitHub();
    gh.public = true;
    const big = '123456789012345678901234567890';
    const body = `{"attestations":[{"bundle":${JSON.stringify(lines[0])},"repository_id":1},{"bundle":{"n":${big}},"repository_id":1}]}`;
    gh.inject('GET', /\/attestations\/sha256(?::|%3A)[0-9a-f]{64}$/i, {
      status: 200,
      body,
      headers: { 'content-type': 'application/json' },
    });
    const r = await fetchDigest();
    expect(r.code, r.stderr).toBe(1);
    const report = r.report as AttestationSetReport;
    expect(report.bundles.map((b) => [b.line, b.ok, b.malformed ?? false])).toEqual([
      [1, true, false],
      [2, false, true],
    ]);
    const written = await readFile(join(r.out, `${digest.replace(':', '-')}.sigstore.jsonl`), 'utf8');
    expect(written.split('\n')[1]).toBe(`{"n":${big}}`);
  }, 60_000);
});

describe('fetch --subject-digest: the source failing is not evidence (exit 2)', () => {
  it('a 500 after retries, or an answer that is not JSON at all, is thrown as the source failing', async () => {
    recorded(lines);
    const path = /\/attestations\/sha256(?::|%3A)[0-9a-f]{64}$/i;
    const run = async () => {
      try {
        await fetchAttestations({
          cwd: dir,
          repo: `${gh.owner}/${gh.repo}`,
          subjectDigest: digest,
          apiUrl: gh.apiUrl,
          output: await mkdtemp(join(dir, 'out-')),
          retry: { retries: 0 },
          verify: { key: [join(dir, 'key.pub.pem')] },
        });
        return 'verified';
      } catch (e) {
        return `${(e as { code?: string }).code ?? String(e)} exit ${exitCodeFor(e)}`;
      }
    };
    gh.inject('GET', path, { status: 500, body: { message: 'Internal Server Error' } });
    expect(await run()).toBe('GITHUB_REQUEST_FAILED exit 2');
    gh.inject('GET', path, { status: 200, body: 'not json {', headers: { 'content-type': 'application/json' } });
    expect(await run()).toMatch(/^GITHUB_[A-Z_]+ exit 2$/);
    // And the answer as it should be verifies.
    expect(await run()).toBe('verified');
  }, 60_000);
});
