import { Readable, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { locateAttestationsMember } from '../../src/core/attestations-member.js';
import { rewriteWithAttestation } from '../../src/core/bundle-rewrite.js';
import { BundleError } from '../../src/core/errors.js';
import {
  ATTESTATION_MEMBER,
  BLOB_PREFIX,
  MANIFEST_MEMBER,
  STANDARD_MEMBER,
  SUMS_MEMBER,
} from '../../src/core/layout.js';
import { MTIME, bundleOf, member, membersOf, parts, writeBaseline } from '../helpers/craft.js';

/**
 * Signing a bundle rewrites it with the new attestation in its attestations
 * member (bundle-format §1.3). The copy drops any attestation it had and is
 * checked as it goes: the manifest must be the one signed and every blob must
 * still hash to its name. All in memory.
 */
const ATTESTATION = Buffer.from('{"signed":"the new attestation"}\n');
const STANDARD = Buffer.from('{"standard":1}\n');

async function rewrite(
  source: Buffer,
  input: { manifestBytes: Buffer; standard?: Buffer },
): Promise<{ bytes: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let ended = false;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  await rewriteWithAttestation(Readable.from([source]), out, {
    attestation: ATTESTATION,
    ...(input.standard ? { standard: input.standard } : {}),
    manifestBytes: input.manifestBytes,
    mtime: MTIME,
  });
  return { bytes: Buffer.concat(chunks), ended };
}

async function membersOfBundle(bytes: Buffer): Promise<{ name: string; body: Buffer; mtime?: Date }[]> {
  const out: { name: string; body: Buffer; mtime?: Date }[] = [];
  const ex = tar.extract();
  Readable.from([gunzipSync(bytes)]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({
      name: e.header.name,
      body: Buffer.concat(chunks),
      ...(e.header.mtime ? { mtime: e.header.mtime } : {}),
    });
  }
  return out;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the rewrite to fail');
}

describe('rewriteWithAttestation', () => {
  it('a bundle written before the attestations member: its old attestation is dropped, the new one comes last', async () => {
    const p = parts();
    const old = Buffer.from('{"old":"attestation"}');
    const source = bundleOf(membersOf(p, { attestation: old }));
    const { bytes, ended } = await rewrite(source, { manifestBytes: p.manifestBytes, standard: STANDARD });
    expect(ended).toBe(true);
    const list = await membersOfBundle(bytes);
    expect(list.map((m) => m.name)).toEqual([
      MANIFEST_MEMBER,
      SUMS_MEMBER,
      ...p.blobs.map((b) => `${BLOB_PREFIX}${b.hex}`),
      ATTESTATION_MEMBER,
      STANDARD_MEMBER,
    ]);
    expect(list.find((m) => m.name === ATTESTATION_MEMBER)?.body.equals(ATTESTATION)).toBe(true);
    expect(list.find((m) => m.name === STANDARD_MEMBER)?.body.equals(STANDARD)).toBe(true);
    expect(list.some((m) => m.body.equals(old))).toBe(false);
    // Content copied byte for byte, in the new layout: a last gzip member holding the attestations.
    expect(list.find((m) => m.name === MANIFEST_MEMBER)?.body.equals(p.manifestBytes)).toBe(true);
    for (const b of p.blobs)
      expect(list.find((m) => m.name === `${BLOB_PREFIX}${b.hex}`)?.body.equals(b.body)).toBe(true);
    expect(locateAttestationsMember(bytes)).toBeGreaterThan(0);
  });

  it('a bundle already in the layout: its attestations member is replaced, the rest copied', async () => {
    const p = parts();
    const source = await writeBaseline({ attestation: Buffer.from('{"previous":true}\n') });
    const { bytes } = await rewrite(source, { manifestBytes: p.manifestBytes });
    const list = await membersOfBundle(bytes);
    expect(list.filter((m) => m.name === ATTESTATION_MEMBER).map((m) => m.body.toString())).toEqual([
      ATTESTATION.toString(),
    ]);
    expect(list.map((m) => m.name)).not.toContain(STANDARD_MEMBER);
    expect(list.every((m) => m.mtime?.getTime() === MTIME.getTime())).toBe(true);
  });

  it('a manifest other than the one signed is BUNDLE_CHANGED_WHILE_SIGNING', async () => {
    const p = parts();
    const source = bundleOf(membersOf(p));
    const signed = Buffer.concat([p.manifestBytes, Buffer.from(' ')]);
    const e = await failure(rewrite(source, { manifestBytes: signed }));
    expect(e).toBeInstanceOf(BundleError);
    expect(e).toMatchObject({ code: 'BUNDLE_CHANGED_WHILE_SIGNING' });
  });

  it('a blob that no longer hashes to its name is BUNDLE_CHANGED_WHILE_SIGNING, naming the member', async () => {
    const p = parts();
    const [first, ...rest] = p.blobs;
    if (!first) throw new Error('the baseline has blobs');
    const changed = { ...p, blobs: [{ hex: first.hex, body: Buffer.from('changed after verification') }, ...rest] };
    const e = await failure(rewrite(bundleOf(membersOf(changed)), { manifestBytes: p.manifestBytes }));
    expect(e).toBeInstanceOf(BundleError);
    expect(e).toMatchObject({ code: 'BUNDLE_CHANGED_WHILE_SIGNING', path: `${BLOB_PREFIX}${first.hex}` });
  });

  it('members other than blobs are copied without a digest to match', async () => {
    const p = parts();
    const source = bundleOf([...membersOf(p), member('extra/notes.txt', 'anything')]);
    const list = await membersOfBundle((await rewrite(source, { manifestBytes: p.manifestBytes })).bytes);
    expect(list.find((m) => m.name === 'extra/notes.txt')?.body.toString()).toBe('anything');
  });
});
