import { zodIssues } from '../core/manifest.js';
import { sarifLogSchema, summarizeSarif } from '../core/schemas/sarif.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, parseJson, readInput, type Collector } from './collector.js';
import { CollectError } from './errors.js';

export const SARIF_MEDIA_TYPE = 'application/sarif+json';

/** SARIF 2.1.0 logs: results by level, and by GitHub's security-severity bands. */
export const sarifCollector: Collector = {
  name: 'sarif',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    const json = parseJson(input, bytes);
    const parsed = sarifLogSchema.safeParse(json);
    if (!parsed.success) {
      throw new CollectError('SARIF_INVALID', `${input.label}: not a valid SARIF 2.1.0 log`, { file: input.label, issues: zodIssues(parsed.error) });
    }
    const s = summarizeSarif(parsed.data);
    return outputFor(bytes, 'sarif', SARIF_MEDIA_TYPE, { tools: s.tools, results: s.results, levels: s.levels, severities: s.severities });
  },
};
