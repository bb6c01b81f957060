import { SMALL_FILE_LIMITS, readSmallFile } from '../fs/small-file.js';
import { dirname, resolve } from 'node:path';
import { parseYamlDocument } from '../formats/yaml.js';
import * as z from 'zod';
import { sourceSchema } from '../core/manifest.js';
import { zodIssues, safeParseBounded } from '../core/issues.js';
import { CollectError } from '../collector/errors.js';

const paths = z.array(z.string().min(1)).default([]);

/** evidence.yaml: what `collect` takes as flags, declared once per project. */
export const configSchema = z.strictObject({
  name: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  output: z.string().min(1).optional(),
  source: sourceSchema.optional(),
  sbom: paths,
  sarif: paths,
  junit: paths,
  files: z
    .array(z.union([z.string().min(1), z.strictObject({ path: z.string().min(1), kind: z.string().min(1) })]))
    .default([]),
  subjects: paths,
  coverage: paths,
  k6: paths,
  terraformPlan: paths,
  migrations: paths,
  scan: paths,
  vex: paths,
  kev: paths,
  /** Purls the release is known as, that VEX statements name as their product (docs/vulnerabilities.md). */
  products: z.array(z.string().startsWith('pkg:')).default([]),
  slo: paths,
  prometheus: z.string().url().optional(),
});
export type EvidenceConfig = z.infer<typeof configSchema>;

export interface LoadedConfig {
  config: EvidenceConfig;
  /** Relative paths in the config are relative to its directory. */
  baseDir: string;
}

/** evidence.yaml, read with its cap and checked against the schema (CONFIG_INVALID). */
export async function loadConfig(file: string, cwd: string): Promise<LoadedConfig> {
  const path = resolve(cwd, file);
  const text = (
    await readSmallFile(path, file, {
      what: 'a config file',
      max: SMALL_FILE_LIMITS.config,
      notFound: (l) => new CollectError('INPUT_NOT_FOUND', `${l}: no such file`, { file: l }),
    })
  ).toString('utf8');
  let raw: unknown;
  try {
    raw = parseYamlDocument(text);
  } catch (e) {
    throw new CollectError('CONFIG_INVALID', `${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`, {
      file,
    });
  }
  const parsed = safeParseBounded(configSchema, raw ?? {});
  if (!parsed.success)
    throw new CollectError('CONFIG_INVALID', `${file}: not a valid evidence config`, {
      file,
      issues: zodIssues(parsed.error),
    });
  return { config: parsed.data, baseDir: dirname(path) };
}
