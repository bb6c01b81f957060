import { issuesInline, type Issue } from '../core/issues.js';

/**
 * The Sigstore bundle as protobuf JSON: the messages of protobuf-specs
 * (sigstore_bundle.proto, sigstore_common.proto, sigstore_rekor.proto,
 * envelope.proto), read by the rules of protobuf's JSON mapping, then written
 * out in one normal form for @sigstore/bundle and @sigstore/verify. The rules
 * (docs/bundle-format.md §6.3):
 *
 * - `null` for any field is that field absent (npm's registry served bundles
 *   with `"publicKey": null` beside a certificate and the like in 2023;
 *   sigstore-js and sigstore-go verify them). A null where a bundle needs a
 *   value is refused as that value missing. Null is never an array element.
 * - A field may be named by its JSON name or its proto name
 *   (`tlogEntries`, `tlog_entries`); both in one object is refused, as is a
 *   second member of a oneof (`certificate` beside `x509CertificateChain`):
 *   either would leave two readers with two bundles.
 * - Enums by name or number (`"SHA2_256"` or `1`); a value the enum does not
 *   have is refused. Written out as names.
 * - 64-bit integers as a decimal string or a JSON integer, within int64; a
 *   JSON number beyond 2^53 is refused (JSON.parse has already rounded it).
 *   Written out as decimal strings.
 * - Bytes as base64, standard or URL-safe alphabet, padded or not, strictly:
 *   nothing outside the alphabet but line breaks, which Go's decoder skips too
 *   (Node's decoder skips whatever it does not know, so `INVALID!!!BASE64`
 *   would decode to something), no mix of the two alphabets, padding only
 *   where it belongs. Written out standard and padded.
 * - Strings must be strings, messages objects, repeated fields arrays: a
 *   wrong type is refused, never coerced.
 * - Unknown fields are ignored, as sigstore-js ignores them (sigstore-go's
 *   protojson refuses them; where the two clients disagree, we follow
 *   sigstore-js). This was refused before, for fear that a misspelt
 *   `rfc3161Timestamps` silently drops the timestamps. It drops nothing the
 *   verifier claims: a field is only ever evidence once it is read and
 *   verified, and a dropped timestamp is a timestamp the report does not
 *   claim; anyone able to rename an unsigned field could as well delete it,
 *   and the thresholds (a log entry and a time for keyless) decide whether
 *   what remains is enough. What was ignored is not silent either: the paths
 *   are returned, and the report lists them (SignatureInfo.unknownFields).
 *
 * Duplicate keys and depth are refused before this (core/strict-json.ts), and
 * the size of the whole by whoever read the bytes.
 */

type Kind = 'string' | 'bytes' | 'int64' | { enum: readonly string[] } | Message;
interface Field {
  json: string;
  kind: Kind;
  repeated?: boolean;
}
interface Message {
  name: string;
  fields: Field[];
  /** Each field by its JSON name and by its proto name. */
  byName: Map<string, Field>;
  /** Groups of fields of which at most one may be set (protobuf oneofs), and whether one must be. */
  oneofs?: { members: string[]; required: boolean }[];
  /** Fields this project needs set, whatever protobuf says (absent otherwise fails as missing). */
  required?: string[];
}

/** A proto field name from its JSON name (lowerCamelCase back to snake_case; exact for every field below). */
export function protoName(jsonName: string): string {
  return jsonName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** sigstore_common.proto's HashAlgorithm: the name at each number. */
const HASH_ALGORITHM = [
  'HASH_ALGORITHM_UNSPECIFIED',
  'SHA2_256',
  'SHA2_384',
  'SHA2_512',
  'SHA3_256',
  'SHA3_384',
] as const;

const message = (name: string, fields: Field[], more: Omit<Message, 'name' | 'fields' | 'byName'> = {}): Message => ({
  name,
  fields,
  byName: new Map(
    fields.flatMap(
      (f) =>
        [
          [f.json, f],
          [protoName(f.json), f],
        ] as const,
    ),
  ),
  ...more,
});
const field = (json: string, kind: Kind, repeated = false): Field =>
  repeated ? { json, kind, repeated } : { json, kind };

const hashOutput = message('HashOutput', [field('algorithm', { enum: HASH_ALGORITHM }), field('digest', 'bytes')]);
const messageSignature = message('MessageSignature', [field('messageDigest', hashOutput), field('signature', 'bytes')]);
const dsseSignature = message('Signature', [field('sig', 'bytes'), field('keyid', 'string')]);
const envelope = message('Envelope', [
  field('payload', 'bytes'),
  field('payloadType', 'string'),
  field('signatures', dsseSignature, true),
]);
const checkpoint = message('Checkpoint', [field('envelope', 'string')]);
const inclusionProof = message('InclusionProof', [
  field('logIndex', 'int64'),
  field('rootHash', 'bytes'),
  field('treeSize', 'int64'),
  field('hashes', 'bytes', true),
  field('checkpoint', checkpoint),
]);
const tlogEntry = message('TransparencyLogEntry', [
  field('logIndex', 'int64'),
  field('logId', message('LogId', [field('keyId', 'bytes')])),
  field('kindVersion', message('KindVersion', [field('kind', 'string'), field('version', 'string')])),
  field('integratedTime', 'int64'),
  field('inclusionPromise', message('InclusionPromise', [field('signedEntryTimestamp', 'bytes')])),
  field('inclusionProof', inclusionProof),
  field('canonicalizedBody', 'bytes'),
]);
const certificate = message('X509Certificate', [field('rawBytes', 'bytes')]);
const verificationMaterial = message(
  'VerificationMaterial',
  [
    field('publicKey', message('PublicKeyIdentifier', [field('hint', 'string')])),
    field('x509CertificateChain', message('X509CertificateChain', [field('certificates', certificate, true)])),
    field('certificate', certificate),
    field('tlogEntries', tlogEntry, true),
    field(
      'timestampVerificationData',
      message('TimestampVerificationData', [
        field('rfc3161Timestamps', message('RFC3161SignedTimestamp', [field('signedTimestamp', 'bytes')]), true),
      ]),
    ),
  ],
  { oneofs: [{ members: ['publicKey', 'x509CertificateChain', 'certificate'], required: true }] },
);
const bundle = message(
  'Bundle',
  [
    field('mediaType', 'string'),
    field('verificationMaterial', verificationMaterial),
    field('messageSignature', messageSignature),
    field('dsseEnvelope', envelope),
  ],
  {
    oneofs: [{ members: ['messageSignature', 'dsseEnvelope'], required: true }],
    required: ['mediaType', 'verificationMaterial'],
  },
);

/** The bundle's JSON in normal form: JSON names, no nulls, enums as names, int64 as strings, bytes standard base64. */
export type SigstoreBundleJson = Record<string, unknown>;

/** The fields a bundle holds that no message of the specification has: how many, and the first MAX_LISTED paths. */
export interface UnknownFields {
  count: number;
  paths: string[];
}

export type SigstoreBundleReading =
  { ok: true; json: SigstoreBundleJson; unknownFields: UnknownFields } | { ok: false; issues: Issue[] };

/** At most this many problems, and paths of unknown fields, are kept; a hostile bundle may have millions. */
const MAX_LISTED = 20;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Reads a Sigstore bundle's parsed JSON (untrusted) by the protobuf JSON
 * mapping: the bundle in normal form and the fields it ignored, or what is
 * wrong with it.
 */
export function readSigstoreBundleJson(json: unknown): SigstoreBundleReading {
  const state: State = { issues: [], unknown: { count: 0, paths: [] } };
  const out = readMessage(json, bundle, '$', state);
  if (state.issues.length > 0 || out === undefined) return { ok: false, issues: state.issues };
  return { ok: true, json: out, unknownFields: state.unknown };
}

/** Where a Sigstore bundle's JSON leaves the specification, or undefined. */
export function sigstoreBundleJsonProblem(json: unknown): string | undefined {
  const r = readSigstoreBundleJson(json);
  return r.ok ? undefined : issuesInline(r.issues);
}

interface State {
  issues: Issue[];
  unknown: UnknownFields;
}

function problem(state: State, path: string, msg: string): undefined {
  if (state.issues.length < MAX_LISTED) state.issues.push({ path, message: msg });
  return undefined;
}

function readMessage(value: unknown, m: Message, path: string, state: State): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return problem(state, path, `expected an object (${m.name})${found(value)}`);
  const out: Record<string, unknown> = {};
  const given = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const f = m.byName.get(key);
    const at = `${path}.${key.length > 100 ? `${key.slice(0, 99)}…` : key}`;
    if (!f) {
      state.unknown.count++;
      if (state.unknown.paths.length < MAX_LISTED) state.unknown.paths.push(at);
      continue;
    }
    const other = given.get(f.json);
    if (other !== undefined) {
      problem(state, at, `the field ${f.json} is given twice, as ${other} and ${key}`);
      continue;
    }
    given.set(f.json, key);
    if (v === null) continue;
    const read = f.repeated ? readList(v, f.kind, at, state) : readValue(v, f.kind, at, state);
    if (read !== undefined) out[f.json] = read;
  }
  // Set means given and not null: a field that failed to read is set too, so it is not also reported missing.
  const isSet = (name: string): boolean => {
    const key = given.get(name);
    return key !== undefined && (value as Record<string, unknown>)[key] !== null;
  };
  for (const o of m.oneofs ?? []) {
    const set = o.members.filter(isSet);
    if (set.length > 1) problem(state, path, `${set.join(' and ')} are one field (a oneof): at most one may be set`);
    else if (set.length === 0 && o.required)
      problem(state, path, `exactly one of ${o.members.join(', ')} must be set (none is, or it is null)`);
  }
  for (const r of m.required ?? []) if (!isSet(r)) problem(state, `${path}.${r}`, 'required (absent or null)');
  return out;
}

function readList(value: unknown, kind: Kind, path: string, state: State): unknown[] | undefined {
  if (!Array.isArray(value)) return problem(state, path, `expected an array${found(value)}`);
  const out: unknown[] = [];
  for (const [i, v] of value.entries()) {
    const read =
      v === null
        ? problem(state, `${path}[${i}]`, 'null is no element of a list')
        : readValue(v, kind, `${path}[${i}]`, state);
    if (read !== undefined) out.push(read);
    if (state.issues.length >= MAX_LISTED) break;
  }
  return out;
}

function readValue(value: unknown, kind: Kind, path: string, state: State): unknown {
  if (kind === 'string')
    return typeof value === 'string' ? value : problem(state, path, `expected a string${found(value)}`);
  if (kind === 'bytes') return readBytes(value, path, state);
  if (kind === 'int64') return readInt64(value, path, state);
  if ('enum' in kind) return readEnum(value, kind.enum, path, state);
  return readMessage(value, kind, path, state);
}

/** Standard base64 of the bytes, from either alphabet, padded or not; undefined (with an issue) for anything else. */
function readBytes(value: unknown, path: string, state: State): string | undefined {
  if (typeof value !== 'string') return problem(state, path, `expected base64 bytes (a string)${found(value)}`);
  // Line breaks are skipped, as Go's decoder (sigstore-go) and Node's skip them: a conformance bundle wraps a timestamp
  // so.
  const text = value.replace(/[\r\n]/g, '');
  const body = text.replace(/={1,2}$/, '');
  const padded = body.length !== text.length;
  const standard = /^[A-Za-z0-9+/]*$/.test(body);
  const urlSafe = /^[A-Za-z0-9_-]*$/.test(body);
  if (!standard && !urlSafe)
    return problem(
      state,
      path,
      `not base64: only one of the alphabets A-Z a-z 0-9 + / or A-Z a-z 0-9 - _, then at most two =${found(value)}`,
    );
  if (body.length % 4 === 1 || (padded && text.length % 4 !== 0))
    return problem(state, path, `not base64: wrong length or padding${found(value)}`);
  // Unused low bits of the last character are not checked: they change no byte, and the bytes are what is written out.
  return Buffer.from(body, urlSafe && !standard ? 'base64url' : 'base64').toString('base64');
}

function readInt64(value: unknown, path: string, state: State): string | undefined {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return problem(state, path, `expected a 64-bit integer${found(value)}`);
    if (!Number.isSafeInteger(value))
      return problem(
        state,
        path,
        `a JSON number beyond 2^53 cannot be read exactly; a 64-bit integer that large is written as a string${found(value)}`,
      );
    n = BigInt(value);
  } else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    n = BigInt(value);
  } else {
    return problem(state, path, `expected a 64-bit integer (a decimal string or a JSON integer)${found(value)}`);
  }
  if (n < INT64_MIN || n > INT64_MAX)
    return problem(state, path, `outside the range of a 64-bit integer${found(value)}`);
  return n.toString();
}

function readEnum(value: unknown, names: readonly string[], path: string, state: State): string | undefined {
  if (typeof value === 'string' && names.includes(value)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && names[value] !== undefined) return names[value];
  return problem(
    state,
    path,
    `expected one of ${names.join(', ')} (or its number 0-${names.length - 1})${found(value)}`,
  );
}

function found(value: unknown): string {
  if (value === undefined) return '';
  const shown = Array.isArray(value)
    ? 'an array'
    : typeof value === 'object' && value !== null
      ? 'an object'
      : typeof value === 'function' || typeof value === 'symbol'
        ? String(value)
        : JSON.stringify(value);
  return ` (found ${shown.length > 60 ? `${shown.slice(0, 57)}…` : shown})`;
}
