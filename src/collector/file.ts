import { extname } from 'node:path';
import { KIND } from '../core/manifest.js';
import { isCollectedKind } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import { hashInput, type Collector } from './collector.js';
import { CollectError } from './errors.js';

const MEDIA_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.csv': 'text/csv',
  '.pdf': 'application/pdf',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.zip': 'application/zip',
};

export function mediaTypeFor(path: string): string {
  return MEDIA_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Any file, of a kind the user names; streamed, never parsed. */
export const fileCollector: Collector = {
  name: 'file',
  version: PACKAGE_VERSION,
  async collect(input) {
    const kind = input.kind ?? 'file';
    if (!KIND.test(kind)) {
      throw new CollectError(
        'KIND_INVALID',
        `${input.label}: kind '${kind}' must be lowercase letters, digits and dashes, starting with a letter`,
        { file: input.label },
      );
    }
    if (isCollectedKind(kind)) {
      throw new CollectError(
        'KIND_RESERVED',
        `${input.label}: kind '${kind}' has its own collector; use --${kind} so the file is validated and summarised`,
        { file: input.label },
      );
    }
    const { hex, size } = await hashInput(input);
    return { kind, mediaType: mediaTypeFor(input.file), summary: {}, hex, size };
  },
};
