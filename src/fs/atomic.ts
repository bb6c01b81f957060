import { release, sweptTemporaryBeside } from './leftovers.js';
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { FileError } from './small-file.js';

/**
 * Writes a file so that it either appears whole or not at all: the content
 * goes to a temporary file beside the target, which is then renamed over it
 * (with force) or hard-linked to it (without, which fails if it exists: no
 * race between the check and the write).
 */
export async function writeAtomically(
  target: string,
  force: boolean,
  write: (out: Writable) => Promise<void>,
): Promise<void> {
  await assertOutputFolder(target);
  if (!force && (await exists(target))) {
    throw new FileError('OUTPUT_EXISTS', `${target}: already exists (use --force to replace it)`, target);
  }
  // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written to, never replaced: renamed over, it
  // became a regular file, and run as root (CI containers) `-o /dev/null` replaced the machine's /dev/null.
  // Followed through links: `-o /dev/stdout` is a link to the process's descriptor, and a link to /dev/null is one
  // too; renamed over, the link in /dev became a regular file.
  const there = await stat(target).catch(() => undefined);
  if (there && (there.isCharacterDevice() || there.isBlockDevice() || there.isFIFO() || there.isSocket())) {
    try {
      await write(createWriteStream(target, { flags: 'w' }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.syscall)
        throw new FileError(
          'OUTPUT_UNWRITABLE',
          `${target}: cannot be written (${err.code ?? err.message})`,
          target,
          e,
        );
      throw e;
    }
    return;
  }
  const tmp = await sweptTemporaryBeside(target);
  let out: Writable | undefined;
  try {
    out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
    await write(out);
    await putInPlace(tmp, target, force);
  } catch (e) {
    // A writer that failed before its stream was done (a text that could not be made): the stream is closed before
    // the temporary file is removed, or its open, still under way, would make the file after the removal.
    if (out) await closed(out);
    const err = e as NodeJS.ErrnoException & { dest?: string };
    const ours = err.path === tmp || err.path === target || err.dest === target;
    if (err.syscall && ours)
      throw new FileError('OUTPUT_UNWRITABLE', `${target}: cannot be written (${err.code ?? err.message})`, target, e);
    throw e;
  } finally {
    await rm(tmp, { force: true });
    release(tmp);
  }
}

/** Destroys a stream, if it is not already, and waits until it has closed. */
function closed(out: Writable): Promise<void> {
  if (out.closed) return Promise.resolve();
  return new Promise<void>((done) => {
    out.once('close', () => done());
    out.on('error', () => undefined); // what it says as it goes was already said, or is moot
    out.destroy();
  });
}

/**
 * Puts a finished temporary file in place: renamed over the target (with
 * force), or hard-linked to it (without, failing if it exists).
 */
export async function putInPlace(tmp: string, target: string, force: boolean): Promise<void> {
  if (force) {
    await rename(tmp, target);
    return;
  }
  try {
    await link(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new FileError('OUTPUT_EXISTS', `${target}: already exists (use --force to replace it)`, target);
    throw e;
  }
}

/**
 * An output's folder must exist (nothing creates it behind the user's back):
 * say which folder is missing, before any work is done.
 */
export async function assertOutputFolder(target: string): Promise<void> {
  const folder = dirname(target);
  const info = await stat(folder).catch(() => undefined);
  if (!info)
    throw new FileError(
      'OUTPUT_FOLDER_MISSING',
      `${target}: the folder ${folder} does not exist; create it first`,
      target,
    );
  if (!info.isDirectory()) throw new FileError('OUTPUT_FOLDER_MISSING', `${target}: ${folder} is not a folder`, target);
}

/**
 * Makes a directory that either appears whole or not at all: `fill` writes
 * into a fresh temporary directory beside `target` (named, tracked and swept
 * as files' are, so a killed run's is removed by the next), and keeps what it
 * made by calling `commit(dir)`: `dir`, the temporary directory or a folder
 * in it, is renamed to `target`, which may be absent or an empty directory
 * (checking that it is so is the caller's). The temporary directory is
 * removed at the end, committed or not. An error of the file system in
 * making the directory or in the rename goes through `failed` (by default
 * OUTPUT_UNWRITABLE); `fill`'s own errors pass as they are.
 */
export async function writeDirectoryAtomically<T>(
  target: string,
  fill: (tmp: string, commit: (dir: string) => Promise<void>) => Promise<T>,
  failed: (e: unknown) => Error = (e) =>
    new FileError(
      'OUTPUT_UNWRITABLE',
      `${target}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      target,
      e,
    ),
): Promise<T> {
  const tmp = await sweptTemporaryBeside(target);
  try {
    // Recursive: as a file's folder is not, a directory's parents are made (extract has always made them).
    await mkdir(tmp, { recursive: true }).catch((e: unknown) => {
      throw failed(e);
    });
    return await fill(tmp, async (dir) => {
      try {
        await removeIfEmptyDir(target);
        await rename(dir, target);
      } catch (e) {
        throw failed(e);
      }
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
    release(tmp);
  }
}

/** An empty directory in the way of a rename is removed; anything else is left for the rename to refuse. */
async function removeIfEmptyDir(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch {
    // absent, or not empty: nothing to remove
  }
}

/**
 * Writes bytes already in memory the same way (replacing any file there); pieces are written one after another, never
 * joined into one more copy.
 */
export function writeFileAtomically(target: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const pieces = typeof data === 'string' || !Array.isArray(data) ? [data as string | Uint8Array] : data;
  return writeAtomically(target, true, (out) => writePieces(out, pieces));
}

/**
 * Writes texts made one after another (a long report in pieces) whole or not at all, each written when the file has
 * taken the last: the pieces are never all held at once.
 */
export function writeTextsAtomically(target: string, texts: Iterable<string>): Promise<void> {
  return writeAtomically(target, true, (out) => writePieces(out, texts));
}

/**
 * Writes pieces to a stream and ends it, waiting for it to drain when it asks to. Its end is also told of an error in
 * the last writes (a full disk), which the stream's 'error' may report only later: never a file put in place half
 * written.
 */
export async function writePieces(out: Writable, pieces: Iterable<string | Uint8Array>): Promise<void> {
  let failed: Error | undefined;
  const onError = (e: Error) => (failed ??= e);
  out.on('error', onError);
  try {
    for (const piece of pieces) {
      if (failed) break;
      if (!out.write(piece))
        await new Promise<void>((drained) => {
          const go = () => {
            out.off('drain', go);
            out.off('error', go);
            out.off('close', go);
            drained();
          };
          out.on('drain', go).on('error', go).on('close', go);
        });
    }
    if (!failed)
      await new Promise<void>((done) => out.end((e?: Error | null) => done(void (failed ??= e ?? undefined))));
    if (failed) throw failed;
  } finally {
    // Once failed, the stream may still report the error (again) after this: it stays heard, never unhandled.
    if (!failed) out.off('error', onError);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Puts a file at `dest` (its folders made): a copy of `copyOf` when given (never over a file), else `moved` renamed. */
export async function placeFile(dest: string, copyOf: string | undefined, moved: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  if (copyOf) await copyFile(copyOf, dest, 1 /* COPYFILE_EXCL */);
  else await rename(moved, dest);
}
