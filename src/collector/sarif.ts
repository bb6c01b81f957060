import type { SarifSummary } from '../core/summaries.js';
import {
  effectiveSarifLevel,
  isEslintJsonOutput,
  sarifLogSchema,
  sarifSecuritySeverity,
  securitySeverityBand,
  type SarifLog,
} from '../formats/sarif.js';
import { PACKAGE_VERSION } from '../version.js';
import { outputFor, parseJson, parseJsonAs, readInput, type Collector } from './collector.js';
import { CollectError } from './errors.js';

export const SARIF_MEDIA_TYPE = 'application/sarif+json';

/** SARIF 2.1.0 logs: results by level, and by GitHub's security-severity bands. */
export const sarifCollector: Collector = {
  name: 'sarif',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    let log: SarifLog;
    try {
      log = parseJsonAs(input, bytes, sarifLogSchema, 'SARIF_INVALID', 'not a valid SARIF 2.1.0 log');
    } catch (e) {
      // ESLint's own JSON is the usual mistake: say which formatter writes SARIF.
      if (e instanceof CollectError && e.code === 'SARIF_INVALID' && isEslintJsonOutput(parseJson(input, bytes))) {
        throw new CollectError(
          'SARIF_INVALID',
          `${input.label}: this is ESLint's JSON output (eslint -f json), not SARIF; have ESLint write SARIF with the @microsoft/eslint-formatter-sarif package (eslint -f @microsoft/sarif -o ${input.label})`,
          { file: input.label, cause: e },
        );
      }
      throw e;
    }
    const s = summarizeSarif(log);
    return outputFor(bytes, 'sarif', SARIF_MEDIA_TYPE, {
      tools: s.tools,
      results: s.results,
      levels: s.levels,
      severities: s.severities,
    });
  },
};

/** Counts the results of a (validated) SARIF log by effective level and security-severity band. */
export function summarizeSarif(log: SarifLog): SarifSummary {
  const tools = new Set<string>();
  const levels = { error: 0, warning: 0, note: 0, none: 0 };
  const severities = { critical: 0, high: 0, medium: 0, low: 0 };
  let results = 0;
  for (const run of log.runs) {
    tools.add(run.tool.driver.name);
    for (const result of run.results ?? []) {
      results++;
      levels[effectiveSarifLevel(run, result)]++;
      const score = sarifSecuritySeverity(run, result);
      const band = score === undefined ? undefined : securitySeverityBand(score);
      if (band) severities[band]++;
    }
  }
  return {
    tools: [...tools].sort(),
    results,
    levels,
    severities,
  };
}
