import { FileError, SMALL_FILE_LIMITS, readSmallFile } from '../../fs/small-file.js';
import { zodIssues, safeParseBounded } from '../../core/issues.js';
import * as z from 'zod';
import { OciError } from './errors.js';

export interface RegistryCredentials {
  username: string;
  password: string;
}

// ---------------------------------------------------------------------------
// Docker config (~/.docker/config.json)

const authEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});

const dockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

/** Docker Hub is written under several names in config files. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `https://host:port/v1/` → `host:port`, lowercased; Docker Hub's names → `docker.io`. */
function configKeyHost(key: string): string {
  const host = key
    .replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

/**
 * The credentials for `registry` (`host[:port]`) in a parsed Docker config
 * (`{auths: {KEY: {auth} | {username, password}}}`), or undefined when it has
 * none. `file` only names the source in errors.
 *
 * Credential helpers (`credsStore`, `credHelpers`) and OAuth identity tokens
 * are not supported: a registry covered only by them gets undefined here, and
 * the caller decides (ask for --registry-username, or go anonymous).
 */
export function credentialsFromDockerConfig(
  config: unknown,
  registry: string,
  file: string,
): RegistryCredentials | undefined {
  const parsed = safeParseBounded(dockerConfigSchema, config);
  if (!parsed.success) {
    const where = zodIssues(parsed.error)
      .map((i) => i.path)
      .join(', ');
    throw new OciError(
      'CREDENTIALS_INVALID',
      `docker config ${file} is not a valid config.json (bad fields: ${where})`,
    );
  }
  const auths = parsed.data.auths ?? {};
  const wanted = configKeyHost(registry);
  // An exact key first (as `docker login HOST` writes it), then any key naming the same host.
  const keys = Object.keys(auths);
  const ordered = [
    ...keys.filter((k) => k === registry),
    ...keys.filter((k) => k !== registry && configKeyHost(k) === wanted),
  ];
  for (const key of ordered) {
    const entry = auths[key];
    if (!entry) continue;
    if (entry.auth !== undefined && entry.auth !== '') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(entry.auth) || colon <= 0) {
        throw new OciError(
          'CREDENTIALS_INVALID',
          `docker config ${file}: auths[${JSON.stringify(key)}].auth is not base64 of "username:password"`,
          { registry },
        );
      }
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username !== undefined && entry.username !== '' && entry.password !== undefined) {
      return { username: entry.username, password: entry.password };
    }
    // An empty entry (left by `docker login` when a helper holds the secret) or an identity token only.
  }
  return undefined;
}

/**
 * Reads `path` (a `~/.docker/config.json`-style file) and returns the
 * credentials for `registry`. A missing file is undefined (no credentials);
 * an unreadable file or invalid JSON is OciError CREDENTIALS_INVALID.
 */
export async function readDockerConfig(path: string, registry: string): Promise<RegistryCredentials | undefined> {
  let text: string;
  try {
    text = (await readSmallFile(path, path, { what: 'a docker config', max: SMALL_FILE_LIMITS.credentials })).toString(
      'utf8',
    );
  } catch (err) {
    if ((err as FileError).code === 'FILE_NOT_FOUND') return undefined;
    throw new OciError(
      'CREDENTIALS_INVALID',
      `docker config ${path} cannot be read (${(err as FileError).code ?? 'error'}: ${(err as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OciError('CREDENTIALS_INVALID', `docker config ${path} is not valid JSON`);
  }
  return credentialsFromDockerConfig(json, registry, path);
}

/** Checks credentials given by a user (flags, stdin) before they go into a header. */
export function checkCredentials(creds: RegistryCredentials): RegistryCredentials {
  if (creds.username === '' || creds.username.includes(':')) {
    throw new OciError('CREDENTIALS_INVALID', 'registry username must be non-empty and must not contain ":"');
  }
  if (/[\r\n\0]/.test(creds.username) || /[\r\n\0]/.test(creds.password)) {
    throw new OciError('CREDENTIALS_INVALID', 'registry username and password must not contain line breaks or NUL');
  }
  return creds;
}

export function basicAuthorization(creds: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
}

// ---------------------------------------------------------------------------
// WWW-Authenticate (RFC 9110 §11.6.1)

export interface AuthChallenge {
  /** Lowercased: `bearer`, `basic`, … */
  scheme: string;
  /** Parameter names lowercased; the first occurrence of a name wins. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_CHAR = /[A-Za-z0-9._~+/=-]/;
const MAX_HEADER = 16 * 1024;

/**
 * Parses a WWW-Authenticate header value into its challenges, e.g.
 * `Bearer realm="https://auth.example.com/token",service="registry", Basic realm="x"`.
 * Quoted strings may hold `\`-escapes and commas. Returns undefined when the
 * value is malformed.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] | undefined {
  if (header.length > MAX_HEADER) return undefined;
  const s = header;
  let i = 0;
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i] as string)) i++;
    return s.slice(start, i);
  };
  const quoted = (): string | undefined => {
    i++; // opening quote
    let out = '';
    while (i < s.length) {
      const c = s[i] as string;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        if (i + 1 >= s.length) return undefined;
        out += s[i + 1];
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    return undefined; // unterminated
  };

  const challenges: AuthChallenge[] = [];
  for (;;) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    const scheme = token();
    if (scheme === '') return undefined;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    ws();
    // Parameters, or a token68, or nothing; a comma then either more parameters or the next challenge.
    for (;;) {
      if (i >= s.length || s[i] === ',') {
        // Look past the comma: `name=` continues this challenge, anything else starts the next one.
        if (i >= s.length) break;
        const save = i;
        i++;
        ws();
        const name = token();
        ws();
        if (name !== '' && s[i] === '=' && s[i + 1] !== '=') {
          i = save + 1;
          ws();
          continue;
        }
        i = save;
        break;
      }
      const save = i;
      const name = token();
      ws();
      if (name !== '' && s[i] === '=' && s[i + 1] !== '=') {
        i++;
        ws();
        let value: string | undefined;
        if (s[i] === '"') value = quoted();
        else {
          value = token();
          if (value === '') value = undefined;
        }
        if (value === undefined) return undefined;
        const key = name.toLowerCase();
        if (!(key in challenge.params)) challenge.params[key] = value;
        ws();
        if (i < s.length && s[i] !== ',') return undefined;
        continue;
      }
      // token68 (e.g. `Negotiate abc==`): only right after the scheme, and not kept.
      i = save;
      if (Object.keys(challenge.params).length > 0) return undefined;
      const start = i;
      while (i < s.length && TOKEN68_CHAR.test(s[i] as string)) i++;
      if (i === start) return undefined;
      ws();
      if (i < s.length && s[i] !== ',') return undefined;
      if (i >= s.length) break;
    }
  }
  return challenges;
}

// ---------------------------------------------------------------------------
// Bearer tokens (the distribution token protocol)

const tokenResponseSchema = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

/** A token must be sendable as a header value: visible ASCII only. */
const TOKEN_VALUE = /^[\x21-\x7e]{1,16384}$/;

export interface BearerToken {
  token: string;
  /** ms since the epoch */
  expiresAt: number;
}

/**
 * Reads the token endpoint's JSON answer (`token` or, OAuth-style,
 * `access_token`). `now` is ms since the epoch; tokens without `expires_in`
 * live 60 s (the protocol's default), and are renewed 10 s early.
 */
export function parseTokenResponse(body: unknown, now: number): BearerToken | undefined {
  const parsed = safeParseBounded(tokenResponseSchema, body);
  if (!parsed.success) return undefined;
  const token = parsed.data.token || parsed.data.access_token;
  if (token === undefined || !TOKEN_VALUE.test(token)) return undefined;
  const expiresIn =
    parsed.data.expires_in !== undefined && Number.isFinite(parsed.data.expires_in) && parsed.data.expires_in > 0
      ? parsed.data.expires_in
      : 60;
  return { token, expiresAt: now + Math.max(0, expiresIn - 10) * 1000 };
}

/** `repository:NAME:ACTIONS` scopes, one per repository, sorted: also the token cache key. */
export function repositoryScopes(access: ReadonlyMap<string, 'pull' | 'push'>): string[] {
  return [...access]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([repo, action]) => `repository:${repo}:${action === 'push' ? 'pull,push' : 'pull'}`);
}
