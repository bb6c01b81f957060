// A local Sigstore for tests and the demo: Fulcio, Rekor and a TSA on
// 127.0.0.1, served over real HTTP from the handlers @sigstore/mock exports,
// with the trusted_root.json that matches them. It is a development tool: it
// issues certificates for any token it is shown.
//
// Three things make the mock behave as the real services do:
// - Rekor stores a dsse entry as hashes and signatures, not verbatim (else
//   every bundle fails verification with "signature count mismatch");
// - one clock, reset to a whole second before each request, for all three
//   services (the mock TSA can otherwise write times the verifier rejects);
// - the trusted root's validity starts a day early.
// The handlers are imported from their own modules: @sigstore/mock's index
// loads nock, which patches node:http.
import { createHash, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { initializeCA, initializeCTLog, fulcioHandler } = require('@sigstore/mock/dist/fulcio');
const { initializeTLog } = require('@sigstore/mock/dist/rekor');
const { initializeTSA, tsaHandler } = require('@sigstore/mock/dist/timestamp');

const wholeSecond = () => Math.floor(Date.now() / 1000) * 1000;
const b64 = (bytes) =>
  Buffer.from(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length).toString('base64');
const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

/** What real Rekor stores for a dsse v0.0.1 entry. */
export function toStoredRekorEntry(proposed) {
  if (proposed?.kind !== 'dsse' || !proposed.spec?.proposedContent) return proposed;
  const { envelope, verifiers } = proposed.spec.proposedContent;
  const env = JSON.parse(envelope);
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256hex(Buffer.from(envelope)) },
      payloadHash: { algorithm: 'sha256', value: sha256hex(Buffer.from(env.payload, 'base64')) },
      signatures: env.signatures.map((s, i) => ({ signature: s.sig, verifier: verifiers[i] ?? verifiers[0] })),
    },
  };
}

/** JSON with object keys sorted, as Rekor canonicalizes an entry's body. */
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * A Rekor v2 log (rekor-v2-spec, tile-based): a CreateEntryRequest (`dsseRequestV002` or `hashedRekordRequestV002`,
 * protobuf JSON) is stored as the entry Rekor v2 keeps (`dsseV002`: the payload's hash and the signatures;
 * `hashedRekordV002`: the digest and the signature) and answered with a TransparencyLogEntry that has an inclusion
 * proof and a signed checkpoint, and, as Rekor v2, no integrated time and no signed entry timestamp. Each entry is
 * the only leaf of a tree of its own, so the proof has no hashes.
 */
function rekorV2Log(origin, keys) {
  const spki = keys.publicKey.export({ format: 'der', type: 'spki' });
  const logId = createHash('sha256').update(spki).digest();
  return (request) => {
    let kind;
    let spec;
    if (request.dsseRequestV002) {
      const { envelope, verifiers } = request.dsseRequestV002;
      kind = 'dsse';
      spec = {
        dsseV002: {
          payloadHash: {
            algorithm: 'SHA2_256',
            digest: createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('base64'),
          },
          signatures: envelope.signatures.map((s, i) => ({ content: s.sig, verifier: verifiers[i] ?? verifiers[0] })),
        },
      };
    } else if (request.hashedRekordRequestV002) {
      const { digest, signature } = request.hashedRekordRequestV002;
      kind = 'hashedrekord';
      spec = { hashedRekordV002: { data: { algorithm: 'SHA2_256', digest }, signature } };
    } else throw new Error('unsupported entry: expected dsseRequestV002 or hashedRekordRequestV002');
    const body = Buffer.from(canonicalJson({ apiVersion: '0.0.2', kind, spec }));
    const rootHash = createHash('sha256')
      .update(Buffer.from([0]))
      .update(body)
      .digest();
    const note = `${origin}\n1\n${rootHash.toString('base64')}\n`;
    const signature = cryptoSign('sha256', Buffer.from(note), keys.privateKey);
    const checkpoint = `${note}\n\u2014 ${origin} ${Buffer.concat([logId.subarray(0, 4), signature]).toString('base64')}\n`;
    return {
      logIndex: '0',
      logId: { keyId: logId.toString('base64') },
      kindVersion: { kind, version: '0.0.2' },
      inclusionProof: {
        logIndex: '0',
        rootHash: rootHash.toString('base64'),
        treeSize: '1',
        hashes: [],
        checkpoint: { envelope: checkpoint },
      },
      canonicalizedBody: body.toString('base64'),
    };
  };
}

/**
 * The identity and extensions public-good Fulcio writes for a GitLab CI token, as Fulcio's documentation of its OIDs
 * (docs/oid-info.md) and its GitLab provider map the claims: the identity is the pipeline's configuration at its ref,
 * the source repository and ref are GitLab's project and ref, and so on. Claims the token lacks give no extension.
 */
export function gitlabCertificate(claims) {
  // Fulcio's GitLab provider fills its URLs from its configured `url`, https://gitlab.com, whatever the issuer: a token
  // of a self-managed instance public-good accepts still names https://gitlab.com/PROJECT (so pin the issuer too).
  const base = 'https://gitlab.com';
  const config = claims.ci_config_ref_uri ? `https://${claims.ci_config_ref_uri}` : undefined;
  const ref =
    claims.ref !== undefined ? `refs/${claims.ref_type === 'branch' ? 'heads' : 'tags'}/${claims.ref}` : undefined;
  const values = [
    ['1.3.6.1.4.1.57264.1.8', claims.iss],
    ['1.3.6.1.4.1.57264.1.9', config],
    ['1.3.6.1.4.1.57264.1.10', claims.ci_config_sha],
    ['1.3.6.1.4.1.57264.1.11', claims.runner_environment],
    ['1.3.6.1.4.1.57264.1.12', claims.project_path && `${base}/${claims.project_path}`],
    ['1.3.6.1.4.1.57264.1.13', claims.sha],
    ['1.3.6.1.4.1.57264.1.14', ref],
    ['1.3.6.1.4.1.57264.1.15', claims.project_id],
    ['1.3.6.1.4.1.57264.1.16', claims.namespace_path && `${base}/${claims.namespace_path}`],
    ['1.3.6.1.4.1.57264.1.17', claims.namespace_id],
    ['1.3.6.1.4.1.57264.1.18', config],
    ['1.3.6.1.4.1.57264.1.19', claims.ci_config_sha],
    ['1.3.6.1.4.1.57264.1.20', claims.pipeline_source],
    [
      '1.3.6.1.4.1.57264.1.21',
      claims.project_path && claims.job_id && `${base}/${claims.project_path}/-/jobs/${claims.job_id}`,
    ],
    ['1.3.6.1.4.1.57264.1.22', claims.project_visibility],
    ['1.3.6.1.4.1.57264.1.23', claims.environment],
  ];
  return {
    subjectAltName: config ?? 'NO-SUBJECT',
    extensions: [
      { oid: '1.3.6.1.4.1.57264.1.1', value: String(claims.iss ?? ''), legacy: true },
      ...values.filter(([, v]) => v !== undefined && v !== '').map(([oid, v]) => ({ oid, value: String(v) })),
    ],
  };
}

/**
 * Starts the services on a free loopback port.
 * @returns {Promise<{url: string, trustedRoot: object, requests: {path: string, headers: object}[], close: () =>
 * Promise<void>}>}
 */
export async function startLocalSigstore({
  host = '127.0.0.1',
  port = 0,
  subjectClaim = 'sub',
  fulcioProfile = 'github',
  clockOffsetMs = 0,
} = {}) {
  const keys = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caKeys = keys();
  const ctKeys = keys();
  const rekorKeys = keys();
  const rekorV2Keys = keys();
  const tsaKeys = keys();
  const clock = new Date(wholeSecond() + clockOffsetMs);
  const ctlog = await initializeCTLog(ctKeys, clock);
  const ca = await initializeCA(caKeys, ctlog, clock);
  const tsa = await initializeTSA(tsaKeys, clock);

  const server = createServer();
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  // The log's checkpoint origin is the host it is served from.
  const tlog = await initializeTLog(url, rekorKeys, clock);

  const routes = new Map();
  // The claim Fulcio takes the certificate's identity from: `sub` (GitHub's workflow URI in these tests), or as real
  // Fulcio does for GitLab, `ci_config_ref_uri`.
  // With `fulcioProfile: 'gitlab'`, the certificate is what public-good Fulcio issues for a GitLab CI token: its
  // identity and extensions from GitLab's claims (gitlabCertificate); the mock writes GitHub's otherwise.
  let requestClaims = {};
  const issuing =
    fulcioProfile === 'gitlab'
      ? {
          get rootCertificate() {
            return ca.rootCertificate;
          },
          issueCertificate: (opts) => ca.issueCertificate({ ...opts, ...gitlabCertificate(requestClaims) }),
        }
      : ca;
  const fulcio = fulcioHandler(issuing, { subjectClaim });
  routes.set(fulcio.path, async (body) => {
    try {
      const token = JSON.parse(body).credentials.oidcIdentityToken;
      requestClaims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    } catch {
      requestClaims = {};
    }
    return fulcio.fn(body);
  });
  const timestamp = tsaHandler(tsa);
  routes.set(timestamp.path, timestamp.fn);
  routes.set('/api/v1/log/entries', async (body) => {
    try {
      const entry = await tlog.log(toStoredRekorEntry(JSON.parse(body)));
      return { statusCode: 201, response: JSON.stringify(entry), contentType: 'application/json' };
    } catch (e) {
      return {
        statusCode: 400,
        response: JSON.stringify({ message: String(e?.message ?? e) }),
        contentType: 'application/json',
      };
    }
  });

  // Rekor v2 under its own path, as a log of its own: its own key and origin.
  const v2Base = `${url}/rekor-v2`;
  const v2Log = rekorV2Log(`${new URL(url).host}/rekor-v2`, rekorV2Keys);
  routes.set('/rekor-v2/api/v2/log/entries', async (body) => {
    try {
      return { statusCode: 201, response: JSON.stringify(v2Log(JSON.parse(body))), contentType: 'application/json' };
    } catch (e) {
      return {
        statusCode: 400,
        response: JSON.stringify({ message: String(e?.message ?? e) }),
        contentType: 'application/json',
      };
    }
  });

  const requests = [];
  server.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const path = (req.url ?? '').split('?')[0];
      requests.push({ path, headers: req.headers });
      const route = req.method === 'POST' ? routes.get(path) : undefined;
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      clock.setTime(wholeSecond() + clockOffsetMs);
      try {
        const { statusCode, response, contentType } = await route(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(statusCode, { 'content-type': contentType ?? 'text/plain' });
        res.end(
          typeof response === 'string'
            ? response
            : Buffer.from(response.buffer, response.byteOffset, response.byteLength),
        );
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e?.message ?? e));
      }
    });
  });

  const start = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const spki = (pair) => pair.publicKey.export({ format: 'der', type: 'spki' });
  const tlogKey = spki(rekorKeys);
  const tlogV2Key = spki(rekorV2Keys);
  const ctKey = spki(ctKeys);
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: tlogKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: createHash('sha256').update(tlogKey).digest('base64') },
      },
      {
        baseUrl: v2Base,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: tlogV2Key.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: createHash('sha256').update(tlogV2Key).digest('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: ctKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(ctlog.logID) },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
        validFor: { start },
      },
    ],
  };

  // Signing configs (v0.2) for these services: one whose log is Rekor v1, one whose log is Rekor v2.
  const service = (u) => ({ url: u, majorApiVersion: 1, validFor: { start }, operator: 'local' });
  const signingConfig = (tlog) => ({
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(url)],
    oidcUrls: [],
    rekorTlogUrls: [tlog],
    tsaUrls: [service(`${url}/api/v1/timestamp`)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  });

  return {
    url,
    trustedRoot,
    signingConfig: signingConfig(service(url)),
    signingConfigRekorV2: signingConfig({ ...service(v2Base), majorApiVersion: 2 }),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** An unsigned OIDC-shaped token: the mock Fulcio reads its claims and checks nothing else. */
export function fakeIdentityToken(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: 'sigstore', iat: now, exp: now + 600, ...claims })}.c2ln`;
}
