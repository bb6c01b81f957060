import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { BlobDescriptor } from '../../../src/transport/oci/client.js';
import { OciError } from '../../../src/transport/oci/errors.js';

export const sha256 = (data: Uint8Array | string): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;
export const blobOf = (data: Uint8Array): BlobDescriptor => ({ digest: sha256(data), size: data.length });

/** The OciError a promise rejects with (and fails the test if it resolves or rejects with anything else). */
export async function caught(p: Promise<unknown>): Promise<OciError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OciError);
    return err as OciError;
  }
  throw new Error('expected an OciError');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
