import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReleasesClient } from '../../../src/transport/github/releases.js';
import { startFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';

/**
 * ReleasesClient.attestationsFor against a fake GitHub that answers badly: what it throws is a GitHubError with a code
 * (the release is then unavailable, the audit goes on), never a RangeError that stops the whole run.
 */

const DIGEST = `sha256:${'a'.repeat(64)}`;
const PATH = /\/attestations\/sha256(?::|%3A)a{64}$/i;
let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.stop();
});

const client = () =>
  new ReleasesClient({ owner: gh.owner, repo: gh.repo, token: gh.token, apiUrl: gh.apiUrl, retry: { retries: 0 } });
const asked = () => gh.received.filter((x) => x.method === 'GET' && PATH.test(x.path.split('?')[0] ?? '')).length;
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: string }).code ?? String(e),
  );

describe('the attestations GET', () => {
  it('refuses an answer nested deeper than it reads as GITHUB_RESPONSE_INVALID (400 KB, 200,000 deep)', async () => {
    const deep = `{"attestations":[{"bundle":${'['.repeat(200_000)}${']'.repeat(200_000)},"repository_id":1}]}`;
    gh.inject('GET', PATH, { status: 200, body: deep, headers: { 'content-type': 'application/json' } });
    expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_RESPONSE_INVALID');
  });

  it('keeps a number past 2^53 (octokit reads it as a BigInt) as the digits GitHub sent; in an error, a GitHub error', async () => {
    // An outside review: JSON.stringify of it threw a TypeError, which stopped the whole audit. It is one attestation
    // of the answer, judged as the others are (no Sigstore bundle holds one), not the whole answer refused.
    const big = '123456789012345678901234567890';
    gh.inject('GET', PATH, {
      status: 200,
      body: `{"attestations":[{"bundle":{"n":${big},"m":[1,"x",null,true,{"k":-${big}}]},"repository_id":1},{"bundle":{"a":1}}]}`,
      headers: { 'content-type': 'application/json' },
    });
    const got = await client().attestationsFor(DIGEST);
    expect(got.map((a) => a.text)).toEqual([`{"n":${big},"m":[1,"x",null,true,{"k":-${big}}]}`, '{"a":1}']);
    // The bundle is its text as JSON readers here read it: never octokit's BigInt.
    expect(got[0]?.bundle).toEqual(JSON.parse(got[0]?.text ?? ''));
    gh.inject('GET', PATH, {
      status: 422,
      body: `{"message":"Validation Failed","errors":[{"n":${big}}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(await codeOf(client().attestationsFor(DIGEST))).toMatch(/^GITHUB_/);
  });

  it('reads exactly 1,000 attestations, however GitHub pages them, and refuses 1,001', async () => {
    // Each page but the last names the next by cursor, as GitHub does.
    const page = (n: number, next: string | undefined) => ({
      status: 200,
      body: { attestations: Array.from({ length: n }, () => ({ bundle: {} })) },
      headers:
        next === undefined
          ? ({} as Record<string, string>)
          : { link: `<${gh.apiUrl}/x?per_page=100&after=${next}>; rel="next"` },
    });
    const pages = (sizes: number[], last: { status: number; body?: unknown }[]) => [
      ...sizes.map((n, i) => page(n, `c${i + 1}`)),
      ...last,
    ];
    const times = (count: number, size: number) => Array.from({ length: count }, () => size);
    const tenFull = times(10, 100);
    gh.inject('GET', PATH, ...pages(tenFull, [page(0, undefined)]));
    expect(await client().attestationsFor(DIGEST)).toHaveLength(1000);
    expect(asked()).toBe(11);
    // The eleventh page answered 404 (GitHub's answer past the end of some lists): the same 1,000.
    gh.inject('GET', PATH, ...pages(tenFull, [{ status: 404, body: { message: 'Not Found' } }]));
    expect(await client().attestationsFor(DIGEST)).toHaveLength(1000);
    gh.inject('GET', PATH, ...pages(tenFull, [page(1, undefined)]));
    expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_RESPONSE_INVALID');
    // Pages shorter than 100 (a server with a smaller page) count by what they hold: 19 of 50 and one of 49 are 999.
    gh.inject('GET', PATH, ...pages(times(19, 50), [page(49, undefined)]));
    expect(await client().attestationsFor(DIGEST)).toHaveLength(999);
    // A 404 before the list is full is not its end.
    gh.inject('GET', PATH, page(100, 'c1'), { status: 404, body: { message: 'Not Found' } });
    expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_NOT_FOUND');
    // A list that trickles on past 20 pages is refused, saying so.
    gh.inject('GET', PATH, ...pages(times(21, 1), []));
    const trickle = await client()
      .attestationsFor(DIGEST)
      .catch((e: unknown) => e as { code: string; message: string });
    expect(trickle).toMatchObject({ code: 'GITHUB_RESPONSE_INVALID' });
    expect((trickle as { message: string }).message).toMatch(/past 20 pages \(20 attestations read\)/);
  });

  it('an empty page that names a next page does not end the list', async () => {
    gh.inject(
      'GET',
      PATH,
      { status: 200, body: { attestations: [{ bundle: { a: 1 } }] }, headers: { link: '<x?after=c1>; rel="next"' } },
      { status: 200, body: { attestations: [] }, headers: { link: '<x?after=c2>; rel="next"' } },
      { status: 200, body: { attestations: [{ bundle: { a: 2 } }] } },
    );
    expect((await client().attestationsFor(DIGEST)).map((a) => a.bundle)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads the next link where a URI holds a comma, or rel lists several relation types', async () => {
    for (const link of [
      '<https://api.github.com/x?a=1,2&after=c9>; rel="next"',
      '<https://api.github.com/x?before=c0>; rel="prev", <https://api.github.com/x?after=c9>; rel="prev next"',
      '<https://api.github.com/x?after=c9>; title="a, b"; rel=next',
    ]) {
      gh.inject(
        'GET',
        PATH,
        { status: 200, body: { attestations: [{ bundle: { a: 1 } }] }, headers: { link } },
        { status: 200, body: { attestations: [{ bundle: { a: 2 } }] } },
      );
      expect(
        (await client().attestationsFor(DIGEST)).map((a) => a.bundle),
        link,
      ).toEqual([{ a: 1 }, { a: 2 }]);
    }
  });

  it("follows GitHub's cursor (after=, from the Link header) to our own API URL, never a page number GitHub ignores", async () => {
    const digest = 'b'.repeat(64);
    for (let i = 0; i < 250; i++) gh.attestations.push({ id: i + 1, bundle: { n: i }, digests: [`sha256:${digest}`] });
    const got = await client().attestationsFor(`sha256:${digest}`);
    // Every attestation once, in order (the fake ignores `page`, as GitHub does: paging by number read page one
    // again and again).
    expect(got.map((a) => (a.bundle as { n: number }).n)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const asks = gh.received.filter((x) => x.method === 'GET' && x.path.includes(digest));
    expect(asks).toHaveLength(3);
    expect(asks.map((x) => new URL(x.path, 'http://h').searchParams.has('after'))).toEqual([false, true, true]);
  });

  it('takes only the cursor from a next link on another host, and refuses a link it cannot read or a loop', async () => {
    gh.inject(
      'GET',
      PATH,
      {
        status: 200,
        body: { attestations: [{ bundle: { a: 1 } }] },
        headers: { link: '<https://elsewhere.example/steal?after=abc>; rel="next"' },
      },
      { status: 200, body: { attestations: [{ bundle: { a: 2 } }] } },
    );
    expect((await client().attestationsFor(DIGEST)).map((a) => a.bundle)).toEqual([{ a: 1 }, { a: 2 }]);
    const last = gh.received.filter((x) => PATH.test(x.path.split('?')[0] ?? '')).at(-1);
    expect(new URL(last?.path ?? '', 'http://h').searchParams.get('after')).toBe('abc');
    for (const link of [
      '<https://api.github.com/x?after=a%20b>; rel="next"',
      '<https://api.github.com/x?per_page=100>; rel="next"',
      '<http://[::1>; rel="next"',
    ]) {
      gh.inject('GET', PATH, { status: 200, body: { attestations: [{ bundle: {} }] }, headers: { link } });
      expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_RESPONSE_INVALID');
    }
    const loop = {
      status: 200,
      body: { attestations: [{ bundle: {} }] },
      headers: { link: '<x?after=same>; rel="next"' },
    };
    gh.inject('GET', PATH, loop, loop, loop);
    expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_RESPONSE_INVALID');
  });

  it('a 429 is GITHUB_RATE_LIMITED, and a 403 does not give the advice for attaching', async () => {
    gh.inject('GET', PATH, { status: 429, body: { message: 'Too Many Requests' } });
    expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_RATE_LIMITED');
    gh.inject('GET', PATH, { status: 403, body: { message: 'Resource not accessible by integration' } });
    const forbidden = await client()
      .attestationsFor(DIGEST)
      .catch((e: unknown) => e as { code: string; message: string });
    expect(forbidden).toMatchObject({ code: 'GITHUB_FORBIDDEN' });
    // The fix is the advice itself: a read is not told it needs write access.
    expect((forbidden as { message: string }).message).not.toContain('contents: write');
  });

  it('does not follow a redirect to another origin (no token, no answer read from there)', async () => {
    const seen: (string | undefined)[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"attestations":[]}');
    });
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    try {
      const port = (other.address() as AddressInfo).port;
      gh.inject('GET', PATH, { status: 302, body: '', headers: { location: `http://localhost:${port}/x` } });
      expect(await codeOf(client().attestationsFor(DIGEST))).toBe('GITHUB_RESPONSE_INVALID');
      expect(seen).toEqual([]);
      // On GitHub's own origin (a renamed repository) a redirect is still followed.
      gh.inject('GET', PATH, { status: 301, body: '', headers: { location: `${gh.apiUrl}/moved` } });
      gh.inject('GET', /\/moved$/, { status: 200, body: { attestations: [{ bundle: { a: 1 } }] } });
      expect((await client().attestationsFor(DIGEST)).map((a) => a.bundle)).toEqual([{ a: 1 }]);
    } finally {
      await new Promise((done) => other.close(done));
    }
  });

  it('a write GitHub redirects on its own origin with a 307 (a renamed repository) is sent again with its body', async () => {
    const moved = `${gh.apiUrl}/repositories/1/attestations`;
    gh.inject('POST', /\/repos\/[^/]+\/[^/]+\/attestations$/, { status: 307, body: '', headers: { location: moved } });
    gh.inject('POST', /\/repositories\/1\/attestations$/, { status: 201, body: { id: 7 } });
    await expect(client().createAttestation({ any: 1 })).resolves.toBeDefined();
    const resent = gh.received.filter((x) => x.method === 'POST' && /\/repositories\/1\/attestations$/.test(x.path));
    expect(resent).toHaveLength(1);
    // A 302 would turn the POST into a GET: refused.
    gh.inject('POST', /\/repos\/[^/]+\/[^/]+\/attestations$/, { status: 302, body: '', headers: { location: moved } });
    expect(await codeOf(client().createAttestation({ any: 1 }))).toBe('GITHUB_RESPONSE_INVALID');
  });
});
