import { resolve } from 'node:path';
import { FileError, readSmallFile } from '../fs/small-file.js';
import { MAX_POLICY_BYTES, loadPolicy, type LoadedPolicy } from '../verifier/policy/evaluate.js';
import { PolicyError } from '../verifier/policy/errors.js';

/** A policy file's bytes, read with the policy's cap. */
export async function readPolicyFile(cwd: string, file: string): Promise<Buffer> {
  try {
    return await readSmallFile(resolve(cwd, file), file, {
      what: 'a policy',
      max: MAX_POLICY_BYTES,
      notFound: (l) => new PolicyError('POLICY_NOT_FOUND', `${l}: no such file`, { path: l }),
    });
  } catch (e) {
    if (e instanceof FileError && e.code === 'FILE_TOO_LARGE')
      throw new PolicyError('POLICY_TOO_LARGE', e.message, { path: file });
    throw e;
  }
}

/** A policy file, read and checked as verify reads it (for reports that need the policy itself, such as OSCAL). */
export async function loadPolicyFile(cwd: string, file: string): Promise<LoadedPolicy> {
  return loadPolicy(await readPolicyFile(cwd, file), file);
}
