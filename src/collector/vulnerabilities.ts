import { parseJsonStrict } from '../core/strict-json.js';
import { FormatError } from '../formats/errors.js';
import { parseKevCatalog, parseScanReport } from '../formats/scanners.js';
import { parseVexDocument } from '../formats/vex/index.js';
import { parsePurl } from '../formats/purl.js';
import {
  OPENVEX_MEDIA_TYPE,
  MAX_PRODUCTS,
  VULNERABILITIES_MEDIA_TYPE,
  VULNERABILITY_INPUT_KINDS,
  checkVulnerabilityReading,
  vulnerabilitiesDocument,
  kevSummary,
  openvexSummary,
  scanSummary,
  vexSummary,
  vulnerabilitiesSummary,
  vulnerabilityBlobs,
  vulnerabilityInputsFromBlobs,
  type VulnerabilityEntry,
} from '../formats/vulnerability-evidence.js';
import { PACKAGE_VERSION } from '../version.js';
import { releasePurl } from '../formats/standard-statements.js';
import { generatedOutput, outputFor, readInput, stripBom, type Collector, type CollectorInput } from './collector.js';
import { CollectError, type CollectErrorCode } from './errors.js';
import { logicalPaths, type CollectedInput } from './manifest-assembly.js';

/**
 * Vulnerabilities handled, not just counted (docs/vulnerabilities.md): scanners' own reports (`--scan`), VEX
 * documents (`--vex`) and CISA's KEV catalog (`--kev`) are each validated and kept; from them `collect` makes the
 * release's vulnerabilities document and its OpenVEX document (formats/vulnerability-evidence.ts).
 */

/** Strict JSON (a key twice is refused: a first-wins reader would see another document), or the kind's error. */
function json(input: CollectorInput, bytes: Buffer, code: CollectErrorCode): unknown {
  try {
    return parseJsonStrict(stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch (e) {
    throw new CollectError(code, `${input.label}: not valid JSON (${(e as Error).message})`, {
      file: input.label,
      cause: e,
    });
  }
}

/** A FormatError of the formats read here, as the collector's error with the same code. */
function asCollectError(e: unknown, label: string): unknown {
  if (
    e instanceof FormatError &&
    (
      [
        'SCAN_INVALID',
        'SCAN_UNKNOWN_FORMAT',
        'VEX_INVALID',
        'VEX_TOO_COMPLEX',
        'VULNERABILITIES_TOO_LARGE',
        'VEX_UNKNOWN_FORMAT',
        'KEV_INVALID',
        'PRODUCT_INVALID',
      ] as const
    ).includes(e.code as 'SCAN_INVALID')
  )
    return new CollectError(e.code as CollectErrorCode, e.message, { file: label, cause: e });
  return e;
}

/** `--scan`: Grype, Trivy, OSV-Scanner, npm audit or OWASP ZAP JSON, recognised from the content. */
export const scanCollector: Collector = {
  name: 'scan',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    try {
      const report = parseScanReport(json(input, bytes, 'SCAN_INVALID'), input.label);
      return {
        ...outputFor(bytes, 'scan', 'application/json', scanSummary(report)),
        bytes,
      };
    } catch (e) {
      throw asCollectError(e, input.label);
    }
  },
};

/** A collector of VEX documents, refusing timestamps later than a day after `now`. */
export function vexCollector(now: () => Date = () => new Date()): Collector {
  return {
    name: 'vex',
    version: PACKAGE_VERSION,
    async collect(input) {
      const bytes = await readInput(input);
      try {
        const doc = parseVexDocument(json(input, bytes, 'VEX_INVALID'), input.label, now());
        return {
          ...outputFor(bytes, 'vex', 'application/json', vexSummary(doc)),
          bytes,
        };
      } catch (e) {
        throw asCollectError(e, input.label);
      }
    },
  };
}

/** `--kev`: CISA's Known Exploited Vulnerabilities catalog (its JSON feed, saved to a file). */
export const kevCollector: Collector = {
  name: 'kev',
  version: PACKAGE_VERSION,
  async collect(input) {
    const bytes = await readInput(input);
    try {
      const catalog = parseKevCatalog(json(input, bytes, 'KEV_INVALID'), input.label);
      return {
        ...outputFor(bytes, 'kev', 'application/json', kevSummary(catalog)),
        bytes,
      };
    } catch (e) {
      throw asCollectError(e, input.label);
    }
  },
};

/** The entries the vulnerabilities document is made from, under the logical paths they will take. */
function inputEntries(collected: CollectedInput[], paths: string[]): VulnerabilityEntry[] {
  return collected.map((c, i) => ({
    path: paths[i] as string,
    kind: c.out.kind,
    digest: `sha256:${c.out.hex}`,
  }));
}

/**
 * The release's vulnerabilities document and OpenVEX document, as two more collected inputs, when there are scans;
 * none otherwise. VEX documents or a KEV catalog with no scan to apply them to are refused: they would show nothing.
 * `paths` are the logical paths of `collected` (manifest-assembly's logicalPaths).
 */
export function vulnerabilityOutputs(
  collected: CollectedInput[],
  paths: string[],
  release: { name: string; version: string; products: string[] },
  created: string,
  now: Date,
): CollectedInput[] {
  const kinds = new Set(collected.map((c) => c.out.kind));
  if (!kinds.has('scan')) {
    if (kinds.has('vex') || kinds.has('kev'))
      throw new CollectError(
        'VULNERABILITIES_INPUT_MISSING',
        '--vex and --kev apply to the findings of scanners: give the scanners\u2019 reports with --scan',
      );
    return [];
  }
  const byDigest = new Map(collected.flatMap((c) => (c.out.bytes ? [[`sha256:${c.out.hex}`, c.out.bytes]] : [])));
  let doc;
  let blobs;
  try {
    // What verify reads to remake the documents, checked before reading the inputs and again with the documents.
    const read = collected.flatMap((c, i) =>
      (VULNERABILITY_INPUT_KINDS as readonly string[]).includes(c.out.kind)
        ? [{ path: paths[i] as string, size: c.out.bytes?.length ?? c.out.size }]
        : [],
    );
    checkVulnerabilityReading(read);
    const made = vulnerabilityInputsFromBlobs(inputEntries(collected, paths), (d) => byDigest.get(d), release, now);
    doc = vulnerabilitiesDocument(made.inputs);
    blobs = vulnerabilityBlobs(doc, created);
    checkVulnerabilityReading([
      ...read,
      { path: 'findings.json', size: blobs.findings.length },
      ...(blobs.openvex ? [{ path: 'release.openvex.json', size: blobs.openvex.length }] : []),
    ]);
  } catch (e) {
    throw asCollectError(e, e instanceof FormatError ? e.file : 'vulnerabilities');
  }
  const derived = (name: string) => ({
    input: { collector: 'file' as const, file: name, label: `${name} (made from the scans and VEX documents)` },
    collector: { name: 'vulnerabilities', version: PACKAGE_VERSION },
  });
  const summary = vulnerabilitiesSummary(doc);
  const out: CollectedInput[] = [
    {
      ...derived('findings.json'),
      out: generatedOutput(blobs.findings, 'findings.json', 'vulnerabilities', VULNERABILITIES_MEDIA_TYPE, {
        ...summary,
      }),
    },
  ];
  if (blobs.openvex) {
    out.push({
      ...derived('release.openvex.json'),
      out: generatedOutput(blobs.openvex, 'release.openvex.json', 'openvex', OPENVEX_MEDIA_TYPE, openvexSummary(doc)),
    });
  }
  return out;
}

/**
 * PRODUCT_INVALID when a purl the release is said to be known as does not parse as one: it would match no VEX
 * statement, silently, and every statement about the release would be lost.
 */
function checkProducts(products: readonly string[]): void {
  if (products.length > MAX_PRODUCTS)
    throw new CollectError('PRODUCT_INVALID', `--product: ${products.length} purls, more than ${MAX_PRODUCTS}`);
  for (const p of products)
    if (parsePurl(p) === undefined)
      throw new CollectError(
        'PRODUCT_INVALID',
        `--product ${JSON.stringify(p)}: not a package URL (pkg:TYPE/NAMESPACE/NAME@VERSION)`,
      );
}

/** `outputs` and, when there are scans, the vulnerabilities and OpenVEX documents made from them (docs/vulnerabilities.md). */
export function withVulnerabilityOutputs(
  outputs: CollectedInput[],
  release: { name: string; version: string; products: string[] },
  created: Date,
  now: Date,
): CollectedInput[] {
  const at = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const paths = logicalPaths(
    outputs.map(({ input, out }) => ({ kind: out.kind, ...(out.name ? { name: out.name } : {}), label: input.label })),
  );
  // The release is known as pkg:generic/NAME@VERSION, and as any purl the project names (--product).
  checkProducts(release.products);
  const products = [...new Set([releasePurl(release), ...release.products])];
  return [...outputs, ...vulnerabilityOutputs(outputs, paths, { ...release, products }, at, now)];
}
