import { EvidenceError } from '../core/error.js';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Small inputs (keys, trusted roots, attestations, policies, configs,
 * credentials) are read whole, so they are read with care: a pipe, a device
 * such as /dev/zero or a directory is refused, and so is a file larger than
 * its kind ever is. The file is opened without blocking (a FIFO with no
 * writer would otherwise hang), checked through the open handle (no swap
 * between check and read), and read up to the cap only.
 */
/** Reading small inputs (FILE_*), and writing outputs whole or not at all (OUTPUT_*, src/fs/atomic.ts). */
export type FileErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FILE_NOT_REGULAR'
  | 'FILE_TOO_LARGE'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_UNWRITABLE'
  | 'OUTPUT_FOLDER_MISSING';

export class FileError extends EvidenceError<FileErrorCode> {
  readonly path: string;
  constructor(code: FileErrorCode, message: string, path: string, cause?: unknown) {
    super('FileError', code, message, cause);
    this.path = path;
  }
}

export interface SmallFileOptions {
  /** What the file is, for messages: "--key", "the policy". */
  what: string;
  /** Largest size accepted, in bytes. */
  max: number;
  /** The error for a file that does not exist (a command's own code: KEY_NOT_FOUND, …); FILE_NOT_FOUND otherwise. */
  notFound?: (label: string) => Error;
}

export async function readSmallFile(path: string, label: string, options: SmallFileOptions): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw (
        options.notFound?.(label) ??
        new FileError('FILE_NOT_FOUND', `${label}: no such file (${options.what})`, label, e)
      );
    if (code === 'EISDIR')
      throw new FileError('FILE_NOT_REGULAR', `${label}: is a directory, not a file (${options.what})`, label, e);
    throw new FileError('FILE_UNREADABLE', `${label}: cannot be read (${code ?? (e as Error).message})`, label, e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new FileError(
        'FILE_NOT_REGULAR',
        `${label}: not a regular file (${info.isFIFO() ? 'a pipe' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isDirectory() ? 'a directory' : 'a special file'}); ${options.what} must be a file`,
        label,
      );
    if (info.size > options.max)
      throw new FileError(
        'FILE_TOO_LARGE',
        `${label}: ${info.size} bytes; ${options.what} is at most ${options.max} bytes`,
        label,
      );
    // One byte more than it has, to see whether it grew since it was checked.
    const buffer = Buffer.alloc(Math.min(options.max + 1, info.size + 1));
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      // More bytes than it had when checked: too large, or changing under us.
      if (filled === buffer.length) {
        if (filled > options.max)
          throw new FileError(
            'FILE_TOO_LARGE',
            `${label}: more than ${options.max} bytes; ${options.what} is at most that`,
            label,
          );
        throw new FileError('FILE_UNREADABLE', `${label}: changed while it was read`, label);
      }
    }
    return buffer.subarray(0, filled);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(
      'FILE_UNREADABLE',
      `${label}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      label,
      e,
    );
  } finally {
    await handle.close();
  }
}

/** Caps for the small inputs. */
export const SMALL_FILE_LIMITS = {
  key: 64 * 1024,
  trustedRoot: 16 * 1024 * 1024,
  attestation: 16 * 1024 * 1024,
  policy: 1024 * 1024,
  config: 1024 * 1024,
  credentials: 1024 * 1024,
  /** A sha256sum list of up to 100,000 artifacts. */
  checksums: 16 * 1024 * 1024,
} as const;
