import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A TUF repository on 127.0.0.1, made here as the TUF specification (1.0) lays one out: one Ed25519 key signs the
 * root, timestamp, snapshot and targets roles, metadata are canonical JSON, snapshots are not consistent
 * (`timestamp.json`, `snapshot.json`, `targets.json`, `targets/NAME`). tuf-js, under @sigstore/tuf, checks every
 * signature and hash from `root` (the TUF root to start from).
 */
export interface LocalTuf {
  url: string;
  /** The TUF root.json to start from (`--tuf-root`). */
  root: string;
  /** Paths asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

/** TUF's canonical JSON (securesystemslib's): keys sorted, no whitespace. Strings here are ASCII. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** `tampered`: targets served with other bytes than the targets role signed for. */
export async function startLocalTuf(targets: Record<string, string>, tampered: string[] = []): Promise<LocalTuf> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw } };
  const keyid = createHash('sha256').update(canonical(key)).digest('hex');
  const expires = new Date(Date.now() + 7 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const common = { spec_version: '1.0.31', version: 1, expires };
  const signed = (body: Record<string, unknown>): string => {
    const sig = sign(null, Buffer.from(canonical(body)), privateKey).toString('hex');
    return JSON.stringify({ signed: body, signatures: [{ keyid, sig }] });
  };
  const role = { keyids: [keyid], threshold: 1 };
  const root = signed({
    _type: 'root',
    ...common,
    consistent_snapshot: false,
    keys: { [keyid]: key },
    roles: { root: role, timestamp: role, snapshot: role, targets: role },
  });
  const files = new Map<string, string>();
  const meta = (text: string) => ({
    length: Buffer.byteLength(text),
    hashes: { sha256: createHash('sha256').update(text).digest('hex') },
  });
  for (const [name, text] of Object.entries(targets))
    files.set(`/targets/${name}`, tampered.includes(name) ? text.replace(/.$/, ' }') : text);
  const targetsJson = signed({
    _type: 'targets',
    ...common,
    targets: Object.fromEntries(Object.entries(targets).map(([name, text]) => [name, meta(text)])),
  });
  const snapshot = signed({ _type: 'snapshot', ...common, meta: { 'targets.json': { version: 1 } } });
  const timestamp = signed({ _type: 'timestamp', ...common, meta: { 'snapshot.json': { version: 1 } } });
  files.set('/targets.json', targetsJson);
  files.set('/snapshot.json', snapshot);
  files.set('/timestamp.json', timestamp);
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    asked.push(path);
    const body = files.get(path);
    if (body === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    root,
    asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
