import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { createBundleGzip, endWithAttestations, memberHeader, withoutEndOfArchive } from './bundle-writer.js';
import { digestsEqual, sha256Hex } from './digest.js';
import { BundleError } from './errors.js';
import { HashingCounter } from './hash-stream.js';
import { ATTESTATION_MEMBER, BLOB_PREFIX, GUNZIP_CHUNK_BYTES, MANIFEST_MEMBER, STANDARD_MEMBER } from './layout.js';

/**
 * Copies a verified bundle with `attestation` (and `standard`, the standard
 * attestations, when given) in place of any attestations it had: the way a
 * bundle written before §1.3's layout is signed (recompressed once, into that
 * layout), in the member order of the format, streaming. The copy is checked as
 * it goes: the manifest must be the one that was signed and every blob must
 * still hash to its name, or the copy fails (the bundle changed since it was
 * verified).
 */
export async function rewriteWithAttestation(
  source: Readable,
  out: Writable,
  input: { attestation: Uint8Array; standard?: Uint8Array; manifestBytes: Uint8Array; mtime: Date },
): Promise<void> {
  const signedManifestHex = sha256Hex(input.manifestBytes);
  const extract = tar.extract();
  const pack = tar.pack();
  const reading = pipeline(source, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), extract);
  // The content member, then the attestations member (bundle-format §1.3): the layout every bundle is written in now.
  const writing = pipeline(pack, withoutEndOfArchive(), createBundleGzip(), out, { end: false });
  const copy = async (): Promise<void> => {
    for await (const entry of extract) {
      const name = entry.header.name;
      const body = entry as unknown as Readable;
      if (name === ATTESTATION_MEMBER || name === STANDARD_MEMBER) {
        body.resume();
        await new Promise((r) => body.once('end', r));
        continue;
      }
      const counter = new HashingCounter();
      await pipeline(body, counter, pack.entry(memberHeader(name, entry.header.size, input.mtime)));
      const hex = counter.digestHex();
      if (name === MANIFEST_MEMBER && !digestsEqual(hex, signedManifestHex)) {
        throw new BundleError('BUNDLE_CHANGED_WHILE_SIGNING', 'manifest.json changed after it was verified and signed');
      }
      if (name.startsWith(BLOB_PREFIX) && !digestsEqual(hex, name.slice(BLOB_PREFIX.length))) {
        throw new BundleError('BUNDLE_CHANGED_WHILE_SIGNING', `${name} changed after the bundle was verified`, {
          path: name,
        });
      }
    }
    pack.finalize();
  };
  await Promise.all([
    copy().catch((e: unknown) => {
      pack.destroy(e as Error);
      extract.destroy(e as Error);
      throw e;
    }),
    reading,
    writing,
  ]);
  await endWithAttestations(out, input);
}
