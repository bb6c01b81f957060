import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';

/**
 * A GitHub REST API on 127.0.0.1 for the routes attach and fetch use, laid
 * out like GitHub Enterprise Server (API under /api/v3, uploads under
 * /api/uploads), with downloads redirected to a second origin as github.com
 * redirects them to its storage. Response bodies are GitHub's own, recorded
 * by @octokit/fixtures (scenarios release-assets and
 * release-assets-conflict), with URLs, ids and names rewritten.
 */

const require = createRequire(import.meta.url);
type Recorded = { method: string; path: string; status: number; response: unknown };
const assetsScenario =
  require('@octokit/fixtures/scenarios/api.github.com/release-assets/normalized-fixture.json') as Recorded[];
const conflictScenario =
  require('@octokit/fixtures/scenarios/api.github.com/release-assets-conflict/normalized-fixture.json') as Recorded[];

const recordedRelease = find(assetsScenario, 'get', /\/releases\/tags\//).response as Record<string, unknown>;
const recordedAsset = find(assetsScenario, 'post', /\/assets\?name=/).response as Record<string, unknown>;
const recordedConflict = conflictScenario.find((r) => r.method === 'post' && r.status === 422)?.response as Record<
  string,
  unknown
>;
const RECORDED_REPO = 'octokit-fixture-org/release-assets';

function find(scenario: Recorded[], method: string, path: RegExp): Recorded {
  const r = scenario.find((x) => x.method === method && path.test(x.path));
  if (!r) throw new Error(`@octokit/fixtures: no recorded ${method} ${path}`);
  return r;
}

export interface FakeAsset {
  id: number;
  name: string;
  label: string | null;
  contentType: string;
  bytes: Buffer;
  /** What the listing says, when a test makes it lie. */
  listedSize?: number;
  /** The listing's browser_download_url, when a test gives another (one that is not a web URL, say). */
  downloadUrl?: string;
}

export interface FakeRelease {
  id: number;
  tag: string;
  draft: boolean;
  /** Set when the release is published while the repository has immutable releases (GitHub's `immutable`). */
  immutable: boolean;
  /** GitHub's `published_at` (null for drafts); now unless a test sets it. */
  publishedAt: string | null;
  assets: FakeAsset[];
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Which server got it: the API or the storage the downloads redirect to. */
  origin: 'api' | 'storage';
}

export interface InjectedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeGitHub {
  apiUrl: string;
  storageOrigin: string;
  owner: string;
  repo: string;
  token: string;
  releases: FakeRelease[];
  received: ReceivedRequest[];
  /** Anonymous reads allowed (a public repository). */
  public: boolean;
  /** Whether asset JSON carries `digest` (github.com does since 2025; the recorded fixtures predate it). */
  digests: boolean;
  /**
   * The repository's "Enable release immutability" setting. As GitHub
   * documents it: releases published while it is on are immutable (assets and
   * tag locked; uploads answer 422 "Cannot upload assets to an immutable
   * release.", deletions 422 "Cannot delete asset from an immutable
   * release"); drafts stay mutable; GET /repos/{o}/{r}/immutable-releases
   * answers {enabled, enforced_by_owner}, or 404 when it is off.
   */
  immutableReleases: boolean;
  /**
   * GitHub's artifact attestations (docs.github.com REST "Attestations"):
   * POST /repos/{o}/{r}/attestations takes `{bundle}` and answers 201 `{id}`;
   * GET /repos/{o}/{r}/attestations/{subject_digest} answers
   * `{attestations: [{bundle, repository_id}]}` for the bundles whose
   * statement names that digest, paged by the `after` cursor its Link
   * header names (rel="next"), as GitHub pages it; `page` is ignored.
   * Invalid bodies get 422.
   */
  attestations: { id: number; bundle: unknown; digests: string[] }[];
  addRelease(tag: string, options?: { draft?: boolean; immutable?: boolean; publishedAt?: string }): FakeRelease;
  addAsset(release: FakeRelease, name: string, bytes: Buffer | string): FakeAsset;
  /** The next requests matching answer these instead (in order). */
  inject(method: string, path: RegExp, ...responses: InjectedResponse[]): void;
  /** Called before an upload is stored (e.g. to make a racing upload appear). */
  beforeUpload?: (release: FakeRelease, name: string) => void;
  /** Called once an upload is stored (e.g. to damage it). */
  afterUpload?: (asset: FakeAsset) => void;
  stop(): Promise<void>;
}

export async function startFakeGitHub(
  options: { owner?: string; repo?: string; token?: string } = {},
): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'web';
  let nextId = 1000;
  const injected: Array<{ method: string; path: RegExp; response: InjectedResponse }> = [];
  const api = createServer();
  const storage = createServer();
  await Promise.all([listen(api), listen(storage)]);
  const apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const storageOrigin = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
  const apiUrl = `${apiOrigin}/api/v3`;
  const uploadsUrl = `${apiOrigin}/api/uploads`;
  const htmlUrl = `${apiOrigin}/html`;

  const fake: FakeGitHub = {
    apiUrl,
    storageOrigin,
    owner,
    repo,
    token: options.token ?? 'ghp_faketoken000000000000000000000000001',
    releases: [],
    received: [],
    public: false,
    digests: true,
    immutableReleases: false,
    attestations: [],
    addRelease(tag, o = {}) {
      const draft = o.draft ?? false;
      const r: FakeRelease = {
        id: nextId++,
        tag,
        draft,
        immutable: o.immutable ?? (!draft && fake.immutableReleases),
        publishedAt: draft ? null : (o.publishedAt ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z')),
        assets: [],
      };
      fake.releases.push(r);
      return r;
    },
    addAsset(release, name, bytes) {
      const a: FakeAsset = {
        id: nextId++,
        name,
        label: null,
        contentType: 'application/octet-stream',
        bytes: Buffer.from(bytes),
      };
      release.assets.push(a);
      return a;
    },
    inject(method, path, ...responses) {
      for (const response of responses) injected.push({ method: method.toUpperCase(), path, response });
    },
    stop: async () => {
      await Promise.all([close(api), close(storage)]);
    },
  };

  const rewrite = (value: unknown): Record<string, unknown> =>
    JSON.parse(
      JSON.stringify(value)
        .replaceAll('https://uploads.github.com', uploadsUrl)
        .replaceAll('https://api.github.com', apiUrl)
        .replaceAll('https://github.com', htmlUrl)
        .replaceAll(RECORDED_REPO, `${owner}/${repo}`),
    ) as Record<string, unknown>;

  const releaseJson = (r: FakeRelease): Record<string, unknown> => ({
    ...rewrite(recordedRelease),
    id: r.id,
    tag_name: r.tag,
    name: r.tag,
    draft: r.draft,
    immutable: r.immutable,
    published_at: r.publishedAt,
    url: `${apiUrl}/repos/${owner}/${repo}/releases/${r.id}`,
    assets_url: `${apiUrl}/repos/${owner}/${repo}/releases/${r.id}/assets`,
    upload_url: `${uploadsUrl}/repos/${owner}/${repo}/releases/${r.id}/assets{?name,label}`,
    html_url: `${htmlUrl}/${owner}/${repo}/releases/tag/${r.tag}`,
    assets: r.assets.map((a) => assetJson(r, a)),
  });

  const assetJson = (r: FakeRelease, a: FakeAsset): Record<string, unknown> => ({
    ...rewrite(recordedAsset),
    id: a.id,
    name: a.name,
    label: a.label,
    content_type: a.contentType,
    state: 'uploaded',
    size: a.listedSize ?? a.bytes.length,
    ...(fake.digests ? { digest: `sha256:${createHash('sha256').update(a.bytes).digest('hex')}` } : {}),
    url: `${apiUrl}/repos/${owner}/${repo}/releases/assets/${a.id}`,
    browser_download_url:
      a.downloadUrl ?? `${htmlUrl}/${owner}/${repo}/releases/download/${r.tag}/${encodeURIComponent(a.name)}`,
  });

  api.on('request', (req, res) => {
    void collect(req).then((body) => {
      fake.received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, origin: 'api' });
      try {
        route(req, res, body);
      } catch (e) {
        send(res, 500, { message: (e as Error).message });
      }
    });
  });

  const blobs = new Map<string, FakeAsset>();
  storage.on('request', (req, res) => {
    void collect(req).then((body) => {
      fake.received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        origin: 'storage',
      });
      const asset = blobs.get(new URL(req.url ?? '/', storageOrigin).pathname);
      if (!asset) return send(res, 404, 'not found');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(asset.bytes.length) });
      res.end(asset.bytes);
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', apiOrigin);
    const path = url.pathname;
    const i = injected.findIndex((x) => x.method === method && x.path.test(path));
    if (i >= 0) {
      const { response } = injected.splice(i, 1)[0] as { response: InjectedResponse };
      return send(res, response.status, response.body ?? '', response.headers);
    }

    const auth = req.headers.authorization;
    const authed = auth !== undefined && /^(token|bearer) /i.test(auth) && auth.split(' ')[1] === fake.token;
    if (auth !== undefined && !authed)
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    const write = method !== 'GET';
    if (write && !authed)
      return send(res, 401, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    if (!authed && !fake.public)
      return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });

    const repoBase = `/api/v3/repos/${owner}/${repo}`;
    const uploadBase = `/api/uploads/repos/${owner}/${repo}`;
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === `${repoBase}/attestations`) {
      let bundle: unknown;
      try {
        bundle = (JSON.parse(body.toString('utf8')) as { bundle?: unknown }).bundle;
      } catch {
        return send(res, 400, { message: 'Problems parsing JSON', status: '400' });
      }
      const payload = (bundle as { dsseEnvelope?: { payload?: string } } | undefined)?.dsseEnvelope?.payload;
      let digests: string[];
      try {
        const statement = JSON.parse(Buffer.from(payload ?? '', 'base64').toString('utf8')) as {
          subject?: { digest?: Record<string, string> }[];
        };
        digests = (statement.subject ?? []).flatMap((x) =>
          Object.entries(x.digest ?? {}).map(([alg, hex]) => `${alg}:${hex}`),
        );
      } catch {
        digests = [];
      }
      if (digests.length === 0) return send(res, 422, { message: 'Invalid bundle: no subject digest', status: '422' });
      const id = nextId++;
      fake.attestations.push({ id, bundle, digests });
      return send(res, 201, { id });
    }
    if (method === 'GET' && (m = path.match(new RegExp(`^${repoBase}/attestations/([^/]+)$`)))) {
      const digest = decodeURIComponent(m[1] as string);
      // Paged by cursor as GitHub pages it: `after`/`before` from the Link header, `page` ignored.
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const found = fake.attestations.filter((a) => a.digests.includes(digest));
      if (found.length === 0)
        return send(res, 404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
          status: '404',
        });
      const cursor = (id: number) => Buffer.from(`cursor:v2:${id}`).toString('base64');
      const after = url.searchParams.get('after');
      const afterId =
        after === null ? -1 : Number(/^cursor:v2:(\d+)$/.exec(Buffer.from(after, 'base64').toString())?.[1]);
      if (!Number.isInteger(afterId)) return send(res, 400, { message: 'Invalid cursor', status: '400' });
      const shown = found.filter((a) => a.id > afterId).slice(0, perPage);
      const last = shown.at(-1);
      const self = `${apiOrigin}${repoBase}/attestations/${encodeURIComponent(digest)}?per_page=${perPage}`;
      const links = [
        ...(last && found.some((a) => a.id > last.id) ? [`<${self}&after=${cursor(last.id)}>; rel="next"`] : []),
        ...(after !== null && shown[0] ? [`<${self}&before=${cursor(shown[0].id)}>; rel="prev"`] : []),
      ];
      return send(
        res,
        200,
        { attestations: shown.map((a) => ({ bundle: a.bundle, repository_id: 1 })) },
        links.length > 0 ? { link: links.join(', ') } : {},
      );
    }
    if (method === 'GET' && path === repoBase)
      return send(res, 200, { id: 1, name: repo, full_name: `${owner}/${repo}`, private: !fake.public });
    if (method === 'GET' && path === `${repoBase}/immutable-releases`) {
      return fake.immutableReleases ? send(res, 200, { enabled: true, enforced_by_owner: false }) : notFound(res);
    }
    if (method === 'PATCH' && (m = path.match(new RegExp(`^${repoBase}/releases/(\\d+)$`)))) {
      const r = fake.releases.find((x) => x.id === Number(m?.[1]));
      if (!r) return notFound(res);
      const input = JSON.parse(body.toString('utf8')) as { draft?: boolean };
      if (input.draft === true && r.immutable)
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [
            { resource: 'Release', code: 'custom', message: 'state cannot be changed when release is immutable' },
          ],
          documentation_url: 'https://docs.github.com/rest',
        });
      if (input.draft === false && r.draft) {
        r.draft = false;
        r.immutable = fake.immutableReleases;
        r.publishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      } else if (input.draft === true) r.draft = true;
      return send(res, 200, releaseJson(r));
    }
    if (method === 'GET' && (m = path.match(new RegExp(`^${repoBase}/releases/tags/(.+)$`)))) {
      const r = fake.releases.find((x) => x.tag === decodeURIComponent(m?.[1] ?? '') && !x.draft);
      return r ? send(res, 200, releaseJson(r)) : notFound(res);
    }
    if (method === 'GET' && path === `${repoBase}/releases`) {
      // Newest first, drafts only to the token, paged as GitHub pages them (30 by default, at most 100).
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const page = Number(url.searchParams.get('page') ?? 1);
      const visible = [...fake.releases].reverse().filter((r) => authed || !r.draft);
      return send(res, 200, visible.slice((page - 1) * perPage, page * perPage).map(releaseJson));
    }
    if (method === 'POST' && path === `${repoBase}/releases`) {
      const input = JSON.parse(body.toString('utf8')) as { tag_name?: string; draft?: boolean };
      if (!input.tag_name)
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }],
        });
      return send(res, 201, releaseJson(fake.addRelease(input.tag_name, { draft: input.draft ?? false })));
    }
    if (method === 'GET' && (m = path.match(new RegExp(`^${repoBase}/releases/(\\d+)/assets$`)))) {
      const r = fake.releases.find((x) => x.id === Number(m?.[1]));
      if (!r) return notFound(res);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = r.assets.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < r.assets.length)
        headers.link = `<${apiUrl}/repos/${owner}/${repo}/releases/${r.id}/assets?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return send(
        res,
        200,
        slice.map((a) => assetJson(r, a)),
        headers,
      );
    }
    if ((m = path.match(new RegExp(`^${repoBase}/releases/assets/(\\d+)$`)))) {
      const id = Number(m[1]);
      const r = fake.releases.find((x) => x.assets.some((a) => a.id === id));
      const a = r?.assets.find((x) => x.id === id);
      if (!r || !a) return notFound(res);
      if (method === 'GET') {
        if ((req.headers.accept ?? '').includes('application/octet-stream')) {
          const key = `/storage/${a.id}/${randomPart()}`;
          blobs.set(key, a);
          return send(res, 302, '', { location: `${storageOrigin}${key}?X-Amz-Signature=fake` });
        }
        return send(res, 200, assetJson(r, a));
      }
      if (method === 'PATCH') {
        if (r.immutable)
          return send(res, 422, {
            message: 'Validation Failed',
            errors: [
              { resource: 'ReleaseAsset', code: 'custom', message: 'Cannot update asset of an immutable release' },
            ],
            documentation_url: 'https://docs.github.com/rest',
          });
        const input = JSON.parse(body.toString('utf8')) as { name?: string; label?: string };
        if (input.name && r.assets.some((x) => x.name === input.name && x.id !== id))
          return send(res, 422, recordedConflict);
        if (input.name) a.name = input.name;
        if (input.label !== undefined) a.label = input.label;
        return send(res, 200, assetJson(r, a));
      }
      if (method === 'DELETE') {
        if (r.immutable)
          return send(res, 422, {
            message: 'Validation Failed',
            errors: [
              { resource: 'ReleaseAsset', code: 'custom', message: 'Cannot delete asset from an immutable release' },
            ],
            documentation_url: 'https://docs.github.com/rest',
          });
        r.assets.splice(r.assets.indexOf(a), 1);
        return send(res, 204, '');
      }
    }
    if (method === 'POST' && (m = path.match(new RegExp(`^${uploadBase}/releases/(\\d+)/assets$`)))) {
      const r = fake.releases.find((x) => x.id === Number(m?.[1]));
      if (!r) return notFound(res);
      const name = url.searchParams.get('name');
      if (!name)
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }],
        });
      const length = req.headers['content-length'];
      if (length === undefined || Number(length) !== body.length)
        return send(res, 400, { message: `Content-Length ${length ?? 'missing'}, body ${body.length} bytes` });
      if (r.immutable)
        return send(res, 422, {
          message: 'Cannot upload assets to an immutable release.',
          documentation_url: 'https://docs.github.com/rest',
        });
      fake.beforeUpload?.(r, name);
      if (r.assets.some((a) => a.name === name)) return send(res, 422, recordedConflict);
      const a = fake.addAsset(r, name, body);
      a.label = url.searchParams.get('label');
      a.contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
      const created = assetJson(r, a);
      fake.afterUpload?.(a);
      return send(res, 201, created);
    }
    notFound(res);
  }

  return fake;
}

function notFound(res: ServerResponse): void {
  send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
    'x-ratelimit-remaining': '4999',
    ...headers,
  });
  res.end(text);
}

function collect(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

function randomPart(): string {
  return Math.random().toString(36).slice(2);
}

function listen(server: Server): Promise<void> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done()));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

/** A fresh fake GitHub for each test of the calling file, stopped after it. */
export function useFakeGitHub(): () => FakeGitHub {
  let gh: FakeGitHub | undefined;
  beforeEach(async () => {
    gh = await startFakeGitHub();
  });
  afterEach(async () => {
    await gh?.stop();
    gh = undefined;
  });
  return () => {
    if (!gh) throw new Error('useFakeGitHub: only inside a test');
    return gh;
  };
}
