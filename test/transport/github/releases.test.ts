import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../../scripts/local-sigstore.mjs';
import { attach } from '../../../src/commands/attach.js';
import { fetchRelease } from '../../../src/commands/fetch.js';
import { GitHubError } from '../../../src/transport/github/errors.js';
import { useFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { runCli } from '../../helpers/io.js';
import { fixture, useTmp } from '../../helpers/tmp.js';

const tmp = useTmp();
const ISSUER = 'https://token.actions.githubusercontent.com';
const SIGNER = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const FAST = { baseDelayMs: 5 };
const NAMES = [
  'web-1.4.2.evidence.tar.gz',
  'web-1.4.2.evidence.sigstore.json',
  'web-1.4.2.evidence.intoto.jsonl',
  'web-1.4.2.evidence.sigstore.jsonl',
];

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});
const fakeGitHub = useFakeGitHub();
let gh: FakeGitHub;
beforeEach(() => {
  gh = fakeGitHub();
});

/** A bundle signed keylessly (local Sigstore on loopback) with its release assets beside it. */
async function signedBundle(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await tmp();
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER, repository: 'acme/web', ref: 'refs/tags/v1.4.2' });
  const r = await runCli(
    [
      'collect',
      '-o',
      NAMES[0] as string,
      '--name',
      'web',
      '--version',
      '1.4.2',
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--sign',
      '--identity-token',
      token,
      '--fulcio-url',
      sigstore.url,
      '--rekor-url',
      sigstore.url,
      '--tsa-url',
      sigstore.url,
      '-q',
    ],
    { cwd: dir },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dir, env: { GITHUB_TOKEN: gh.token } };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const uploads = (): typeof gh.received =>
  gh.received.filter((r) => r.method === 'POST' && r.path.startsWith('/api/uploads/'));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'no error';
}

describe('evidence attach', () => {
  it('uploads the bundle, NAME.sigstore.json, NAME.intoto.jsonl and NAME.sigstore.jsonl byte for byte, then reads each back', async () => {
    const { dir, env } = await signedBundle();
    gh.addRelease('v1.4.2');
    const r = await runCli(
      ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '--json'],
      { cwd: dir, env },
    );
    expect(r.stderr).not.toContain(gh.token);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { assets: Array<{ name: string; sha256: string; action: string }> };
    expect(result.assets.map((a) => a.name)).toEqual(NAMES);
    for (const name of NAMES) {
      const local = await readFile(join(dir, name));
      const got = uploads().find((u) => u.path.includes(`name=${encodeURIComponent(name)}`));
      expect(got?.body.equals(local), name).toBe(true);
      expect(got?.headers['content-length']).toBe(String(local.length));
      expect(result.assets.find((a) => a.name === name)?.sha256).toBe(sha256(local));
    }
    // Read back through the API, redirected to storage, without the token crossing origins.
    const downloads = gh.received.filter((q) => q.origin === 'storage');
    expect(downloads).toHaveLength(NAMES.length);
    for (const d of downloads) expect(d.headers.authorization).toBeUndefined();
    const apiDownloads = gh.received.filter(
      (q) => q.origin === 'api' && q.method === 'GET' && /\/releases\/assets\/\d+$/.test(q.path),
    );
    expect(apiDownloads).toHaveLength(NAMES.length);
    for (const d of apiDownloads) expect(d.headers.authorization).toBe(`Bearer ${gh.token}`);
    expect(gh.releases[0]?.assets.map((a) => a.contentType)).toEqual([
      'application/gzip',
      'application/json',
      'application/jsonl',
      'application/jsonl',
    ]);
  });

  it('--with-verifier attaches the one-file verifier too', async () => {
    const { dir, env } = await signedBundle();
    gh.addRelease('v1.4.2');
    const r = await attach({
      cwd: dir,
      env,
      bundle: NAMES[0] as string,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      withVerifier: true,
      retry: FAST,
    });
    expect(r.assets.map((a) => a.name)).toContain('evidence-verify.mjs');
    const stored = gh.releases[0]?.assets.find((a) => a.name === 'evidence-verify.mjs');
    expect(stored?.bytes.equals(await readFile(new URL('../../../dist/evidence-verify.mjs', import.meta.url)))).toBe(
      true,
    );
  });

  it('a missing release is an error unless --create, which makes it', async () => {
    const { dir, env } = await signedBundle();
    const without = await runCli(
      ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl],
      { cwd: dir, env },
    );
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('[GITHUB_NOT_FOUND]');
    expect(without.stderr).toContain('--create');
    expect(uploads()).toHaveLength(0);
    const r = await attach({
      cwd: dir,
      env,
      bundle: NAMES[0] as string,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      create: true,
      retry: FAST,
    });
    expect(r.release.created).toBe(true);
    expect(gh.releases.map((x) => x.tag)).toEqual(['v1.4.2']);
    expect(gh.releases[0]?.assets.map((a) => a.name)).toEqual(NAMES);
  });

  describe('immutable releases (GitHub documents: published releases are locked; drafts are not)', () => {
    const calls = (): string[] =>
      gh.received
        .filter((q) => q.origin === 'api' && q.method !== 'GET')
        .map((q) => `${q.method} ${q.path.replace(/\?.*$/, '').replace(/\/\d+/g, '/N')}`);

    it('--create on a repository with immutable releases: draft → upload → read back → publish, and the result is immutable', async () => {
      const { dir, env } = await signedBundle();
      gh.immutableReleases = true;
      const r = await attach({
        cwd: dir,
        env,
        bundle: NAMES[0] as string,
        repo: 'acme/web',
        tag: 'v1.4.2',
        apiUrl: gh.apiUrl,
        create: true,
        retry: FAST,
      });
      expect(r.release).toMatchObject({ created: true, published: true, draft: false, immutable: true });
      const release = gh.releases[0];
      expect(release).toMatchObject({ draft: false, immutable: true });
      expect(release?.assets.map((a) => a.name)).toEqual(NAMES);
      // The order GitHub's immutable releases need: create the draft, put every asset up, then publish.
      const order = calls();
      expect(order[0]).toBe('POST /api/v3/repos/acme/web/releases');
      expect(order.at(-1)).toBe('PATCH /api/v3/repos/acme/web/releases/N');
      expect(order.filter((c) => c.startsWith('POST /api/uploads'))).toHaveLength(NAMES.length);
      const created = JSON.parse(
        gh.received.find((q) => q.method === 'POST' && q.path.endsWith('/releases'))?.body.toString() ?? '{}',
      ) as { draft?: boolean };
      expect(created.draft).toBe(true);
      // Each asset was read back while the release was still a draft.
      const publishAt = gh.received.findIndex((q) => q.method === 'PATCH' && /\/releases\/\d+$/.test(q.path));
      const lastRead = gh.received
        .map((q, i) => (q.origin === 'storage' ? i : -1))
        .reduce((a, b) => Math.max(a, b), -1);
      expect(lastRead).toBeLessThan(publishAt);
    });

    it('an existing draft is filled and published; --keep-draft leaves it a draft', async () => {
      const { dir, env } = await signedBundle();
      gh.immutableReleases = true;
      gh.addRelease('v1.4.2', { draft: true });
      const kept = await runCli(
        ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '--keep-draft'],
        { cwd: dir, env },
      );
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stdout).toContain('(a draft: not published)');
      expect(gh.releases[0]).toMatchObject({ draft: true, immutable: false });
      const published = await runCli(
        ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '--clobber'],
        { cwd: dir, env },
      );
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toContain('published v1.4.2: immutable, its assets and tag can no longer change');
      expect(gh.releases[0]).toMatchObject({ draft: false, immutable: true });
    });

    it('a published immutable release is refused before any upload, saying what to do (exit 2)', async () => {
      const { dir, env } = await signedBundle();
      gh.immutableReleases = true;
      gh.addRelease('v1.4.2');
      const r = await runCli(
        ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl],
        { cwd: dir, env },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[GITHUB_RELEASE_IMMUTABLE]');
      expect(r.stderr).toContain('--draft');
      expect(uploads()).toHaveLength(0);
    });

    it('where GitHub does not say `immutable` (older servers), its 422 on upload is GITHUB_RELEASE_IMMUTABLE, and nothing is left', async () => {
      const { dir, env } = await signedBundle();
      gh.immutableReleases = true;
      gh.addRelease('v1.4.2');
      gh.inject('GET', /\/releases\/tags\//, {
        status: 200,
        body: {
          id: gh.releases[0]?.id,
          tag_name: 'v1.4.2',
          upload_url: `${gh.apiUrl.replace('/api/v3', '/api/uploads')}/repos/acme/web/releases/${gh.releases[0]?.id}/assets{?name,label}`,
          html_url: 'http://127.0.0.1/html',
          draft: false,
        },
      });
      expect(
        await codeOf(
          attach({
            cwd: dir,
            env,
            bundle: NAMES[0] as string,
            repo: 'acme/web',
            tag: 'v1.4.2',
            apiUrl: gh.apiUrl,
            retry: FAST,
          }),
        ),
      ).toBe('GITHUB_RELEASE_IMMUTABLE');
      expect(gh.releases[0]?.assets).toEqual([]);
    });

    it('fetch reports whether the release is immutable', async () => {
      const { dir, env } = await signedBundle();
      gh.immutableReleases = true;
      await attach({
        cwd: dir,
        env,
        bundle: NAMES[0] as string,
        repo: 'acme/web',
        tag: 'v1.4.2',
        apiUrl: gh.apiUrl,
        create: true,
        retry: FAST,
      });
      const out = await tmp();
      const r = await runCli(
        ['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '--download-only', '-o', 'dl'],
        { cwd: out, env },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('release v1.4.2: immutable');
      const mutable = gh.addRelease('v1.4.3');
      for (const a of gh.releases[0]?.assets ?? []) gh.addAsset(mutable, a.name, a.bytes);
      mutable.immutable = false;
      const r2 = await fetchRelease({
        downloadOnly: true,
        cwd: out,
        env,
        repo: 'acme/web',
        tag: 'v1.4.3',
        apiUrl: gh.apiUrl,
        output: 'dl2',
      });
      expect(r2.release.immutable).toBe(false);
    });
  });

  it('an asset of the same name stops the attach before anything is uploaded, unless --clobber', async () => {
    const { dir, env } = await signedBundle();
    const release = gh.addRelease('v1.4.2');
    gh.addAsset(release, NAMES[1] as string, 'old attestation');
    const r = await runCli(
      ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl],
      { cwd: dir, env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[GITHUB_ASSET_EXISTS]');
    expect(uploads()).toHaveLength(0);
    expect(release.assets.map((a) => a.name)).toEqual([NAMES[1]]);
  });

  it("GitHub's 422 already_exists (a racing upload) is reported as GITHUB_ASSET_EXISTS", async () => {
    const { dir, env } = await signedBundle();
    const release = gh.addRelease('v1.4.2');
    // Another job attaches the same name between our check and our rename.
    gh.beforeUpload = (r) => {
      gh.addAsset(r, NAMES[0] as string, 'raced in');
      gh.beforeUpload = undefined;
    };
    expect(
      await codeOf(
        attach({
          cwd: dir,
          env,
          bundle: NAMES[0] as string,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: gh.apiUrl,
          retry: FAST,
        }),
      ),
    ).toBe('GITHUB_ASSET_EXISTS');
    // Theirs is kept; ours, uploaded under temporary names, are removed.
    expect(release.assets.map((a) => [a.name, a.bytes.toString()])).toEqual([[NAMES[0], 'raced in']]);
  });

  it('--clobber replaces: the new asset goes up under a temporary name, the old one is deleted, the new one renamed', async () => {
    const { dir, env } = await signedBundle();
    const release = gh.addRelease('v1.4.2');
    gh.addAsset(release, NAMES[0] as string, 'old bundle');
    const r = await attach({
      cwd: dir,
      env,
      bundle: NAMES[0] as string,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      clobber: true,
      retry: FAST,
    });
    expect(r.assets.map((a) => a.action)).toEqual(['replaced', 'uploaded', 'uploaded', 'uploaded']);
    expect(release.assets.map((a) => a.name).sort()).toEqual([...NAMES].sort());
    expect(
      release.assets.find((a) => a.name === NAMES[0])?.bytes.equals(await readFile(join(dir, NAMES[0] as string))),
    ).toBe(true);
    const first = uploads()[0];
    expect(first?.path).toMatch(/name=web-1\.4\.2\.evidence\.tar\.gz\.partial-[0-9a-f]{8}/);
    expect(gh.received.some((q) => q.method === 'DELETE')).toBe(true);
    expect(gh.received.some((q) => q.method === 'PATCH')).toBe(true);
  });

  it('retries an upload after a 502 and a secondary rate limit, sending the whole file again', async () => {
    const { dir, env } = await signedBundle();
    gh.addRelease('v1.4.2');
    gh.inject(
      'POST',
      /^\/api\/uploads\//,
      { status: 502, body: { message: 'Server Error' } },
      { status: 403, headers: { 'retry-after': '0' }, body: { message: 'You have exceeded a secondary rate limit.' } },
    );
    const retried: string[] = [];
    await attach({
      cwd: dir,
      env,
      bundle: NAMES[0] as string,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      retry: FAST,
      onProgress: (m) => retried.push(m),
    });
    const bundleUploads = uploads().filter((u) => u.path.includes(`name=${NAMES[0]}`));
    expect(bundleUploads).toHaveLength(3);
    const local = await readFile(join(dir, NAMES[0] as string));
    for (const u of bundleUploads) expect(u.body.equals(local)).toBe(true);
    expect(retried.filter((m) => m.includes('retry'))).toHaveLength(2);
    expect(gh.releases[0]?.assets.map((a) => a.name)).toEqual(NAMES);
  });

  it('gives up after the retries, naming the status', async () => {
    const { dir, env } = await signedBundle();
    gh.addRelease('v1.4.2');
    for (let i = 0; i < 5; i++)
      gh.inject('GET', /\/releases\/tags\//, { status: 503, body: { message: 'unavailable' } });
    const e = await attach({
      cwd: dir,
      env,
      bundle: NAMES[0] as string,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      retry: FAST,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitHubError);
    expect((e as GitHubError).code).toBe('GITHUB_REQUEST_FAILED');
    expect((e as GitHubError).status).toBe(503);
  });

  it('401, 403, 404 and a missing token are clear errors (exit 2) that never show the token', async () => {
    const { dir } = await signedBundle();
    gh.addRelease('v1.4.2');
    const args = ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl];
    const bad = 'ghp_wrongtoken1234567890abcdefghijklmnopq';
    const r401 = await runCli(args, { cwd: dir, env: { GITHUB_TOKEN: bad } });
    expect([r401.code, r401.stderr.includes('[GITHUB_AUTH_FAILED]')]).toEqual([2, true]);
    expect(r401.stderr + r401.stdout).not.toContain(bad);

    gh.inject('GET', /\/releases\/tags\//, {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    const r403 = await runCli(args, { cwd: dir, env: { GH_TOKEN: gh.token } });
    expect([r403.code, r403.stderr.includes('[GITHUB_FORBIDDEN]'), r403.stderr.includes('contents: write')]).toEqual([
      2,
      true,
      true,
    ]);
    expect(r403.stderr).not.toContain(gh.token);

    const r404 = await runCli([...args.slice(0, 3), 'acme/nope', ...args.slice(4)], {
      cwd: dir,
      env: { GITHUB_TOKEN: gh.token },
    });
    expect([r404.code, r404.stderr.includes('[GITHUB_NOT_FOUND]')]).toEqual([2, true]);

    const none = await runCli(args, { cwd: dir, env: {} });
    expect([none.code, none.stderr.includes('[GITHUB_TOKEN_MISSING]')]).toEqual([2, true]);
    const badRepo = await runCli([...args.slice(0, 3), 'not a repo', ...args.slice(4)], {
      cwd: dir,
      env: { GITHUB_TOKEN: gh.token },
    });
    expect([badRepo.code, badRepo.stderr.includes('[GITHUB_REPO_INVALID]')]).toEqual([2, true]);
  });

  it('the token goes only to GitHub over TLS, and a malformed token is never echoed', async () => {
    const { dir, env } = await signedBundle();
    const release = gh.addRelease('v1.4.2');
    const badToken = 'ghp_SECRETSECRET\nghp_OTHERSECRET';
    const r = await runCli(
      ['attach', NAMES[0] as string, '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl],
      { cwd: dir, env: { GITHUB_TOKEN: badToken } },
    );
    expect([r.code, r.stderr.includes('[GITHUB_TOKEN_INVALID]')]).toEqual([2, true]);
    expect(r.stderr).not.toContain('SECRET');
    const plain = await runCli(
      [
        'attach',
        NAMES[0] as string,
        '--repo',
        'acme/web',
        '--tag',
        'v1.4.2',
        '--api-url',
        'http://github.example.com/api/v3',
      ],
      { cwd: dir, env },
    );
    expect([plain.code, plain.stderr.includes('[GITHUB_REPO_INVALID]')]).toEqual([2, true]);
    // A release whose upload_url points elsewhere gets no token and no upload.
    gh.inject('GET', /\/releases\/tags\//, {
      status: 200,
      body: {
        id: release.id,
        tag_name: 'v1.4.2',
        upload_url: 'https://evil.example/upload{?name,label}',
        html_url: 'https://example.com/r',
      },
    });
    expect(
      await codeOf(
        attach({
          cwd: dir,
          env,
          bundle: NAMES[0] as string,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: gh.apiUrl,
          retry: FAST,
        }),
      ),
    ).toBe('GITHUB_RESPONSE_INVALID');
    expect(uploads()).toHaveLength(0);
  });

  it('an asset that does not read back as uploaded is ASSET_MISMATCH', async () => {
    const { dir, env } = await signedBundle();
    gh.addRelease('v1.4.2');
    gh.digests = false; // so that only the read-back can notice
    gh.afterUpload = (a) => {
      if (a.name.startsWith(NAMES[0] as string)) a.bytes = Buffer.from(a.bytes.map((b, i) => (i === 100 ? b ^ 1 : b)));
    };
    expect(
      await codeOf(
        attach({
          cwd: dir,
          env,
          bundle: NAMES[0] as string,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: gh.apiUrl,
          retry: FAST,
        }),
      ),
    ).toBe('ASSET_MISMATCH');
    // Nothing of the failed attach is left on the release.
    expect(gh.releases[0]?.assets).toEqual([]);
  });

  it('an upload that fails for good leaves the release as it was', async () => {
    const { dir, env } = await signedBundle();
    const release = gh.addRelease('v1.4.2');
    gh.addAsset(release, 'notes.txt', 'kept');
    // From the second file on, every upload attempt fails (the fake answers 500).
    let calls = 0;
    gh.beforeUpload = () => {
      calls++;
      if (calls >= 2) throw new Error('storage broke');
    };
    expect(
      await codeOf(
        attach({
          cwd: dir,
          env,
          bundle: NAMES[0] as string,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: gh.apiUrl,
          retry: { ...FAST, retries: 2 },
        }),
      ),
    ).toBe('GITHUB_REQUEST_FAILED');
    expect(release.assets.map((a) => a.name)).toEqual(['notes.txt']);
  });

  it('refuses an unsigned bundle, and a bundle that fails its integrity check, before talking to GitHub', async () => {
    const { dir, env } = await signedBundle();
    gh.addRelease('v1.4.2');
    await writeFile(join(dir, 'unsigned.tar.gz'), await readFile(join(dir, NAMES[0] as string)));
    expect(
      await codeOf(
        attach({ cwd: dir, env, bundle: 'unsigned.tar.gz', repo: 'acme/web', tag: 'v1.4.2', apiUrl: gh.apiUrl }),
      ),
    ).toBe('ATTACH_INPUT_MISSING');
    const bytes = await readFile(join(dir, NAMES[0] as string));
    // The gzip trailer's CRC-32 (its last 8 bytes: CRC, then size): every such change is caught. A byte of the deflate
    // data near the end was flipped before, and some runs' bundles decompressed to the same bytes (a back-reference
    // into the tar's zero padding moved within the zeros), which verify rightly accepts.
    bytes[bytes.length - 8] = (bytes[bytes.length - 8] as number) ^ 0xff;
    await writeFile(join(dir, NAMES[0] as string), bytes);
    // Present but not intact: a verdict on the file (the integrity gate every command shares), not a missing input.
    expect(
      await codeOf(
        attach({ cwd: dir, env, bundle: NAMES[0] as string, repo: 'acme/web', tag: 'v1.4.2', apiUrl: gh.apiUrl }),
      ),
    ).toBe('BUNDLE_INVALID');
    expect(gh.received).toHaveLength(0);
  });

  it('an unreachable API is GITHUB_UNREACHABLE', async () => {
    const { dir, env } = await signedBundle();
    const url = gh.apiUrl;
    await gh.stop();
    expect(
      await codeOf(
        attach({
          cwd: dir,
          env,
          bundle: NAMES[0] as string,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: url,
          retry: { ...FAST, retries: 1 },
        }),
      ),
    ).toBe('GITHUB_UNREACHABLE');
  });
});

describe('evidence fetch', () => {
  /** fetch of `tag` into `out`, verified with the test's trusted root and signer, reported as JSON. */
  const verifying = (dir: string, tag: string, out: string): string[] => [
    'fetch',
    '--repo',
    'acme/web',
    '--tag',
    tag,
    '--api-url',
    gh.apiUrl,
    '-o',
    out,
    '--trusted-root',
    join(dir, 'trusted_root.json'),
    '--certificate-identity',
    SIGNER,
    '--certificate-oidc-issuer',
    ISSUER,
    '--json',
  ];

  async function published(tag = 'v1.4.2'): Promise<{ dir: string }> {
    const { dir, env } = await signedBundle();
    gh.addRelease(tag);
    await attach({
      cwd: dir,
      env,
      bundle: NAMES[0] as string,
      repo: 'acme/web',
      tag,
      apiUrl: gh.apiUrl,
      retry: FAST,
    });
    gh.received.length = 0;
    return { dir };
  }

  it('downloads a public release with no token and verifies it in the same run', async () => {
    const { dir } = await published();
    gh.public = true;
    const out = await tmp();
    const r = await runCli(verifying(dir, 'v1.4.2', out), { cwd: dir, env: {} });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('verified');
    for (const name of NAMES)
      expect((await readFile(join(out, name))).equals(await readFile(join(dir, name)))).toBe(true);
    expect(gh.received.every((q) => q.headers.authorization === undefined)).toBe(true);
  });

  it("refuses another release's authentic bundle published under this tag (RELEASE_MISMATCH, exit 1), as audit does", async () => {
    // web 1.4.2's bundle, attached to v2.0.0. It verifies, but the report a gate reads says the fetch failed, and why.
    const { dir } = await published('v2.0.0');
    gh.public = true;
    const r = await runCli(verifying(dir, 'v2.0.0', await tmp()), { cwd: dir, env: {} });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { verdict: string; ok: boolean; checks: { id: string; code?: string }[] };
    expect(report).toMatchObject({ verdict: 'failed', ok: false });
    expect(report.checks.filter((c) => c.id === 'release').map((c) => c.code)).toEqual(['RELEASE_MISMATCH']);
    // The bundle's own checks still passed: it is authentic, and another release's.
    expect(report.checks.find((c) => c.id === 'signature')).toMatchObject({ ok: true });
    // Every format says it: the text's headline, Markdown's, and OSCAL's finding for the release.
    const text = await runCli(
      verifying(dir, 'v2.0.0', await tmp()).filter((a) => a !== '--json'),
      {
        cwd: dir,
        env: {},
      },
    );
    expect(text.stdout).toMatch(/^RELEASE MISMATCH: /);
    expect(text.stdout).toMatch(
      /\n {2}release\? {4}NOT THIS RELEASE'S EVIDENCE \(the bundle is the evidence of web 1\.4\.2/,
    );
    expect(text.stdout).not.toMatch(/^VERIFIED/m);
    const md = await runCli(
      [...verifying(dir, 'v2.0.0', await tmp()).filter((a) => a !== '--json'), '--format', 'markdown'],
      {
        cwd: dir,
        env: {},
      },
    );
    expect(md.stdout).toContain('RELEASE MISMATCH');
    expect(md.stdout).toMatch(/\| Is it this release's evidence\? \| ❌ no: /);
    expect(md.stdout).not.toContain('✅ VERIFIED');
    expect(r.stderr).toMatch(/the bundle is the evidence of web 1\.4\.2, not of v2\.0\.0 .*\[RELEASE_MISMATCH\]/);
  });

  it('an .intoto.jsonl that is not the envelope fails the report a gate reads too (INTOTO_MISMATCH), not only the exit code', async () => {
    const { dir } = await published();
    gh.public = true;
    const release = gh.releases[0];
    if (!release) throw new Error('no release');
    (release.assets[2] as { bytes: Buffer }).bytes = Buffer.from(
      '{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}\n',
    );
    const r = await runCli(verifying(dir, 'v1.4.2', await tmp()), { cwd: dir, env: {} });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { verdict: string; checks: { id: string; code?: string }[] };
    expect(report.verdict).toBe('failed');
    expect(report.checks.filter((c) => c.id === 'release').map((c) => c.code)).toEqual(['INTOTO_MISMATCH']);
  });

  it('exits 1 when the signer is not the one named, 3 when the policy fails', async () => {
    const { dir } = await published();
    gh.public = true;
    const base = [
      'fetch',
      '--repo',
      'acme/web',
      '--tag',
      'v1.4.2',
      '--api-url',
      gh.apiUrl,
      '--trusted-root',
      join(dir, 'trusted_root.json'),
      '--certificate-oidc-issuer',
      ISSUER,
    ];
    const wrong = await runCli(
      [
        ...base,
        '-o',
        await tmp(),
        '--certificate-identity',
        'https://github.com/acme/web/.github/workflows/other.yml@refs/tags/v1.4.2',
      ],
      { cwd: dir, env: {} },
    );
    expect(wrong.code).toBe(1);
    await writeFile(join(dir, 'policy.yaml'), 'version: 1\nrequire:\n  - kind: junit\n');
    const policy = await runCli(
      [...base, '-o', await tmp(), '--certificate-identity', SIGNER, '--policy', join(dir, 'policy.yaml')],
      { cwd: dir, env: {} },
    );
    expect(policy.code).toBe(3);
  });

  it('a keyless release fetched with only --key is not signed by the signer pinned: exit 1 (SIGNER_KIND_MISMATCH), not 2', async () => {
    const { dir } = await published();
    gh.public = true;
    const { generateKeyPairSync } = await import('node:crypto');
    const pub = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    await writeFile(join(dir, 'pub.pem'), pub.export({ format: 'pem', type: 'spki' }));
    const args = verifying(dir, 'v1.4.2', await tmp()).filter((a, i, all) => {
      const flag = a.startsWith('--certificate-') ? a : all[i - 1];
      return !flag?.startsWith('--certificate-');
    });
    const r = await runCli([...args, '--key', join(dir, 'pub.pem')], { cwd: dir, env: {} });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      verdict: string;
      checks: { ok: boolean; skipped?: boolean; code?: string }[];
    };
    expect(report.verdict).toBe('failed');
    expect(report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.code)).toEqual(['SIGNER_KIND_MISMATCH']);
  });

  it.each([
    ['JSON, but no Sigstore bundle', '{"hello": "world"}'],
    ['not JSON', 'not json at all'],
  ])(
    'a release whose NAME.sigstore.json is %s fails verification (ATTESTATION_MALFORMED, exit 1): what the source delivered is the evidence under test',
    async (_, text) => {
      const { dir } = await published();
      gh.public = true;
      gh.digests = false;
      const asset = gh.releases[0]?.assets.find((a) => a.name === 'web-1.4.2.evidence.sigstore.json');
      if (!asset) throw new Error('no NAME.sigstore.json');
      asset.bytes = Buffer.from(text);
      const r = await runCli(verifying(dir, 'v1.4.2', await tmp()), { cwd: dir, env: {} });
      expect(r.code, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout) as {
        verdict: string;
        checks: { ok: boolean; skipped?: boolean; code?: string; path?: string }[];
      };
      expect(report.verdict).toBe('failed');
      const failed = report.checks.filter((c) => !c.ok && !c.skipped);
      expect(failed.map((c) => c.code)).toContain('ATTESTATION_MALFORMED');
      expect(failed.find((c) => c.code === 'ATTESTATION_MALFORMED')?.path ?? '').toMatch(
        /web-1\.4\.2\.evidence\.sigstore\.json$/,
      );
    },
  );

  it('a private repository needs a token: 404 without one, with a hint', async () => {
    await published();
    const out = await tmp();
    const r = await runCli(
      ['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '-o', out, '--download-only'],
      { cwd: out, env: {} },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[GITHUB_NOT_FOUND]');
    expect(r.stderr).toContain('GITHUB_TOKEN');
    const withToken = await fetchRelease({
      downloadOnly: true,
      cwd: out,
      env: { GH_TOKEN: gh.token },
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      retry: FAST,
    });
    expect(withToken.bundle.name).toBe(NAMES[0]);
    expect(withToken.intotoMatches).toBe(true);
  });

  it('an asset whose bytes differ from the digest GitHub lists is ASSET_MISMATCH, and nothing is left behind', async () => {
    await published();
    gh.public = true;
    const asset = gh.releases[0]?.assets[0];
    if (!asset) throw new Error('no asset');
    const listed = `sha256:${sha256(asset.bytes)}`;
    gh.digests = false;
    asset.bytes = Buffer.from(asset.bytes.map((b, i) => (i === 50 ? b ^ 1 : b)));
    // GitHub's listing still says what was uploaded; what storage sends now differs.
    gh.inject('GET', /\/releases\/\d+\/assets$/, {
      status: 200,
      body: gh.releases[0]?.assets.map((a) => ({
        id: a.id,
        name: a.name,
        size: a.bytes.length,
        state: 'uploaded',
        digest: a === asset ? listed : null,
        url: `${gh.apiUrl}/repos/acme/web/releases/assets/${a.id}`,
        browser_download_url: `${gh.apiUrl}/x/${a.name}`,
      })),
    });
    const out = await tmp();
    expect(
      await codeOf(
        fetchRelease({ downloadOnly: true, cwd: out, repo: 'acme/web', tag: 'v1.4.2', apiUrl: gh.apiUrl, retry: FAST }),
      ),
    ).toBe('ASSET_MISMATCH');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(out)).toEqual([]);
  });

  it('hostile asset names never become paths, and an .intoto.jsonl that is not the signed envelope is reported', async () => {
    await published();
    gh.public = true;
    const release = gh.releases[0];
    if (!release) throw new Error('no release');
    const out = await tmp();
    (release.assets[2] as { bytes: Buffer }).bytes = Buffer.from(
      '{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}\n',
    );
    const mismatch = await runCli(
      ['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '-o', out, '--download-only'],
      { cwd: out, env: {} },
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('[INTOTO_MISMATCH]');
    for (const a of release.assets) a.name = `../${a.name}`;
    expect(
      await codeOf(
        fetchRelease({
          downloadOnly: true,
          cwd: out,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: gh.apiUrl,
          name: `../${NAMES[0]}`,
          force: true,
        }),
      ),
    ).toBe('GITHUB_RESPONSE_INVALID');
  });

  it('without a signer to check, fetch refuses unless --download-only', async () => {
    await published();
    gh.public = true;
    const out = await tmp();
    const r = await runCli(['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '-o', out], {
      cwd: out,
      env: {},
    });
    expect([r.code, r.stderr.includes('[IDENTITY_POLICY_REQUIRED]')]).toEqual([2, true]);
    expect(gh.received).toHaveLength(0);
    // The rule is the library's, not the command line's: fetchRelease applies it too, before any request.
    expect(await codeOf(fetchRelease({ cwd: out, repo: 'acme/web', tag: 'v1.4.2', apiUrl: gh.apiUrl }))).toBe(
      'IDENTITY_POLICY_REQUIRED',
    );
    expect(
      await codeOf(
        fetchRelease({
          cwd: out,
          repo: 'acme/web',
          tag: 'v1.4.2',
          apiUrl: gh.apiUrl,
          downloadOnly: true,
          verify: { integrityOnly: true },
        }),
      ),
    ).toBe('INVALID_OPTION');
    expect(gh.received).toHaveLength(0);
  });

  it('a download that does not match what GitHub lists exits 1 (integrity), and an intoto mismatch is not hidden by a policy failure', async () => {
    const { dir } = await published();
    gh.public = true;
    const release = gh.releases[0];
    if (!release) throw new Error('no release');
    (release.assets[2] as { bytes: Buffer }).bytes = Buffer.from(
      '{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}\n',
    );
    await writeFile(join(dir, 'policy.yaml'), 'version: 1\nrequire:\n  - kind: junit\n');
    const both = await runCli(
      [
        'fetch',
        '--repo',
        'acme/web',
        '--tag',
        'v1.4.2',
        '--api-url',
        gh.apiUrl,
        '-o',
        await tmp(),
        '--trusted-root',
        join(dir, 'trusted_root.json'),
        '--certificate-identity',
        SIGNER,
        '--certificate-oidc-issuer',
        ISSUER,
        '--policy',
        join(dir, 'policy.yaml'),
      ],
      { cwd: dir, env: {} },
    );
    expect(both.code).toBe(1);
    // The library gives the same verdict: the mismatch is a failure, and it outranks the policy's.
    const lib = await fetchRelease({
      cwd: dir,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      output: await tmp(),
      verify: {
        trustedRoot: [join(dir, 'trusted_root.json')],
        identity: { certificateIdentity: SIGNER, certificateOidcIssuer: ISSUER },
        policy: join(dir, 'policy.yaml'),
      },
    });
    // The report says so too (a failed release check), and its policy answer stays apart: failed, not hidden.
    expect([lib.verdict, lib.problems.map((p) => p.code), lib.verification?.report.verdict]).toEqual([
      'failed',
      ['INTOTO_MISMATCH'],
      'failed',
    ]);
    expect(lib.verification?.report.assessment).toMatchObject({
      policy: { status: 'failed' },
      release: { status: 'mismatch' },
    });
    const asset = release.assets[0];
    if (!asset) throw new Error('no asset');
    const listed = `sha256:${sha256(asset.bytes)}`;
    gh.digests = false;
    // GitHub lists a digest the bytes do not have.
    gh.inject('GET', /\/releases\/\d+\/assets$/, {
      status: 200,
      body: release.assets.map((a) => ({
        id: a.id,
        name: a.name,
        size: a.bytes.length,
        state: 'uploaded',
        digest: a === asset ? listed.replace(/.$/, listed.endsWith('0') ? '1' : '0') : null,
        url: `${gh.apiUrl}/repos/acme/web/releases/assets/${a.id}`,
        browser_download_url: `${gh.apiUrl}/x/${a.name}`,
      })),
    });
    const bad = await runCli(
      ['fetch', '--repo', 'acme/web', '--tag', 'v1.4.2', '--api-url', gh.apiUrl, '-o', await tmp(), '--download-only'],
      { cwd: dir, env: {} },
    );
    expect([bad.code, bad.stderr.includes('[ASSET_MISMATCH]')]).toEqual([1, true]);
  });

  it('NAME.sigstore.jsonl must be our line then exactly the standard statements the verified bundle carries (SIGSTORE_JSONL_MISMATCH, exit 1)', async () => {
    const { dir } = await published();
    gh.public = true;
    const release = gh.releases[0];
    if (!release) throw new Error('no release');
    const verifyWith = {
      trustedRoot: [join(dir, 'trusted_root.json')],
      identity: { certificateIdentity: SIGNER, certificateOidcIssuer: ISSUER },
    };
    const good = await fetchRelease({
      cwd: dir,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      output: await tmp(),
      verify: verifyWith,
    });
    expect([good.verdict, good.problems]).toEqual(['verified', []]);
    // An extra line after ours and the bundle's own: something the bundle does not vouch for, handed to gh and cosign.
    const jsonl = release.assets[3] as { bytes: Buffer };
    const lines = jsonl.bytes.toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    jsonl.bytes = Buffer.from(`${[...lines, lines[1]].join('\n')}\n`);
    const extra = await fetchRelease({
      cwd: dir,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      output: await tmp(),
      verify: verifyWith,
    });
    expect([extra.verdict, extra.problems.map((p) => p.code)]).toEqual(['failed', ['SIGSTORE_JSONL_MISMATCH']]);
    // Our own line alone is fine for what the bundle carries only when the bundle has no standard statements: here it
    // has.
    jsonl.bytes = Buffer.from(`${lines[0]}\n`);
    const short = await fetchRelease({
      cwd: dir,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      output: await tmp(),
      verify: verifyWith,
    });
    expect(short.problems.map((p) => p.code)).toEqual(['SIGSTORE_JSONL_MISMATCH']);
  });

  it('several bundles on one release need --name', async () => {
    await published();
    gh.public = true;
    const release = gh.releases[0];
    if (!release) throw new Error('no release');
    gh.addAsset(release, 'other.tar.gz', 'x');
    gh.addAsset(release, 'other.sigstore.json', '{}');
    const out = await tmp();
    expect(
      await codeOf(fetchRelease({ downloadOnly: true, cwd: out, repo: 'acme/web', tag: 'v1.4.2', apiUrl: gh.apiUrl })),
    ).toBe('ASSET_AMBIGUOUS');
    const chosen = await fetchRelease({
      downloadOnly: true,
      cwd: out,
      repo: 'acme/web',
      tag: 'v1.4.2',
      apiUrl: gh.apiUrl,
      name: NAMES[0],
    });
    expect(chosen.bundle.name).toBe(NAMES[0]);
  });
});

describe("GitHub's artifact attestations API", () => {
  it("attach --attestations-api records one bundle per statement; fetch --subject-digest finds and verifies them by the artifact's digest", async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    await writeFile(join(dir, 'web.tgz'), 'the artifact');
    const token = fakeIdentityToken({ iss: ISSUER, sub: SIGNER, repository: 'acme/web', ref: 'refs/tags/v1.4.2' });
    const c = await runCli(
      [
        'collect',
        '-o',
        NAMES[0] as string,
        '--name',
        'web',
        '--version',
        '1.4.2',
        '--sbom',
        fixture('sbom/npm11-sbom.cdx.json'),
        '--junit',
        fixture('junit/vitest.junit.xml'),
        '--subject',
        'web.tgz',
        '--sign',
        '--identity-token',
        token,
        '--fulcio-url',
        sigstore.url,
        '--rekor-url',
        sigstore.url,
        '--tsa-url',
        sigstore.url,
        '-q',
      ],
      { cwd: dir },
    );
    expect(c.code, c.stderr).toBe(0);
    gh.addRelease('v1.4.2');
    const env = { GITHUB_TOKEN: gh.token };
    const r = await runCli(
      [
        'attach',
        NAMES[0] as string,
        '--repo',
        'acme/web',
        '--tag',
        'v1.4.2',
        '--api-url',
        gh.apiUrl,
        '--attestations-api',
        '--json',
      ],
      { cwd: dir, env },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = (await readFile(join(dir, NAMES[3] as string), 'utf8')).trimEnd().split('\n');
    const posted = gh.received.filter((q) => q.method === 'POST' && q.path.endsWith('/repos/acme/web/attestations'));
    // One POST per statement: ours, then the standard ones in manifest order (junit/, sbom/), then the release; each
    // body is {bundle} with the line's bundle.
    expect(
      posted.map((p) => JSON.stringify((JSON.parse(p.body.toString('utf8')) as { bundle: unknown }).bundle)),
    ).toEqual(lines);
    expect(
      (JSON.parse(r.stdout) as { attestations: { predicateType: string }[] }).attestations.map((a) => a.predicateType),
    ).toEqual([
      'https://evidence-bundle.dev/attestation/release-evidence/v1',
      'https://in-toto.io/attestation/test-result/v0.1',
      'https://cyclonedx.org/bom',
      'https://in-toto.io/attestation/release/v0.1',
    ]);
    for (const p of posted) expect(p.headers.authorization).toMatch(new RegExp(`^(token|Bearer) ${gh.token}$`));

    const digest = `sha256:${sha256(Buffer.from('the artifact'))}`;
    const out = await tmp();
    gh.public = true;
    const f = await runCli(
      [
        'fetch',
        '--repo',
        'acme/web',
        '--subject-digest',
        digest,
        '--api-url',
        gh.apiUrl,
        '-o',
        out,
        '--trusted-root',
        join(dir, 'trusted_root.json'),
        '--certificate-identity',
        SIGNER,
        '--certificate-oidc-issuer',
        ISSUER,
        '--json',
      ],
      { cwd: dir, env: {} },
    );
    expect(f.code, f.stderr).toBe(0);
    const report = JSON.parse(f.stdout) as {
      ok: boolean;
      bundles: unknown[];
      artifacts: { name: string; ok: boolean; coveredBy: unknown[] }[];
    };
    expect(report.bundles).toHaveLength(4);
    expect(report.artifacts).toEqual([expect.objectContaining({ name: digest, ok: true })]);
    expect(report.artifacts[0]?.coveredBy).toHaveLength(4);
    expect(
      (await readFile(join(out, `${digest.replace(':', '-')}.sigstore.jsonl`), 'utf8')).trimEnd().split('\n'),
    ).toEqual(lines);

    // An unknown digest: 404, exit 2; and a signer that is not the one named: exit 1.
    const none = await runCli(
      [
        'fetch',
        '--repo',
        'acme/web',
        '--subject-digest',
        `sha256:${'0'.repeat(64)}`,
        '--api-url',
        gh.apiUrl,
        '-o',
        out,
        '--download-only',
      ],
      { cwd: dir, env: {} },
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('[GITHUB_NOT_FOUND]');
    const wrong = await runCli(
      [
        'fetch',
        '--repo',
        'acme/web',
        '--subject-digest',
        digest,
        '--api-url',
        gh.apiUrl,
        '-o',
        await tmp(),
        '--trusted-root',
        join(dir, 'trusted_root.json'),
        '--certificate-identity',
        `${SIGNER}x`,
        '--certificate-oidc-issuer',
        ISSUER,
      ],
      { cwd: dir, env: {} },
    );
    expect(wrong.code).toBe(1);
  });
});
