import type { Collector } from './collector.js';
import { fileCollector } from './file.js';
import { junitCollector } from './junit.js';
import { sarifCollector } from './sarif.js';
import { sbomCollector } from './sbom.js';
import { coverageCollector } from './coverage.js';
import { k6Collector } from './k6.js';
import { migrationsCollector } from './migrations.js';
import { terraformCollector } from './terraform.js';
import { kevCollector, scanCollector, vexCollector } from './vulnerabilities.js';

export type { Collector, CollectorInput, CollectorOutput } from './collector.js';
export { CollectError, type CollectErrorCode } from './errors.js';

/** The collector for each option that names evidence. */
export const collectors = {
  sbom: sbomCollector,
  sarif: sarifCollector,
  junit: junitCollector,
  coverage: coverageCollector,
  k6: k6Collector,
  terraform: terraformCollector,
  migrations: migrationsCollector,
  scan: scanCollector,
  vex: vexCollector(),
  kev: kevCollector,
  file: fileCollector,
} as const satisfies Record<string, Collector>;

export type CollectorName = keyof typeof collectors;
