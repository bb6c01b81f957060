/**
 * The OpenVEX document a bundle carries, made from its vulnerabilities document (docs/vulnerabilities.md): one statement
 * per vulnerability and disposition, restated under the release's versioned purls, bounded before it is made and
 * written as canonical JSON without a second copy of its statements.
 */
import { canonicalBytes, canonicalize, jsonStringBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import { MAX_ATTESTATION_BYTES } from '../core/layout.js';
import { FormatError } from './errors.js';
import type { VexStatus } from './findings.js';
import { isImageDigest, parsePurl } from './purl.js';
import { vulnerabilityIds } from './vex/index.js';
import type { ReleaseFinding, VulnerabilitiesDocument } from './vulnerability-evidence.js';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

/**
 * The most bytes of one blob verify reads to remake the documents (a scan, a VEX document, the KEV catalog, the
 * findings document, the OpenVEX document): the most the bundle reader keeps of one blob. Collect never writes a
 * document verify could only say it did not check.
 */
export const MAX_VULNERABILITY_DOCUMENT_BYTES = MAX_ATTESTATION_BYTES;
/**
 * The release purls the OpenVEX document restates dispositions under: those naming a version only. A statement about
 * this release restated under a versionless purl would speak of every version, and settle the next release's findings
 * wherever the document is carried.
 */
export function restatedProducts(products: readonly string[]): string[] {
  return products.filter((p) => Boolean(parsePurl(p)?.version) && !isTaggedImage(p));
}

/**
 * An image (`oci`, `docker`) named by a version that is not its digest, or with a `tag` qualifier: a tag, which moves.
 * A statement restated under it would speak of whatever the tag names later.
 */
export function isTaggedImage(purl: string): boolean {
  const parsed = parsePurl(purl);
  if (!parsed || !['oci', 'docker'].includes(parsed.type.toLowerCase())) return false;
  return (Boolean(parsed.version) && !isImageDigest(parsed.version ?? '')) || parsed.qualifiers?.tag !== undefined;
}

/**
 * One statement of the OpenVEX document we make: the findings of one vulnerability that one disposition settles (same
 * status, texts and date), their packages listed once as subcomponents under each release purl.
 */
interface OpenVexGroup {
  finding: ReleaseFinding;
  packages: string[];
}

/** The settled findings grouped by what their statement would say, in the findings' order. */
export function openVexGroups(findings: readonly ReleaseFinding[]): OpenVexGroup[] {
  const groups = new Map<string, OpenVexGroup & { seen: Set<string> }>();
  for (const f of findings) {
    if (f.status === undefined || f.purl === undefined) continue;
    const key = JSON.stringify([
      f.id,
      f.aliases,
      f.status,
      f.justification ?? null,
      f.impactStatement ?? null,
      f.actionStatement ?? null,
      f.statusOrderedAt ?? null,
    ]);
    const group = groups.get(key);
    if (!group) groups.set(key, { finding: f, packages: [f.purl], seen: new Set([f.purl]) });
    else if (!group.seen.has(f.purl)) {
      group.seen.add(f.purl);
      group.packages.push(f.purl);
    }
  }
  return [...groups.values()].map(({ finding, packages }) => ({ finding, packages }));
}

/**
 * VULNERABILITIES_TOO_LARGE when the OpenVEX document's products would take more than MAX_VULNERABILITY_DOCUMENT_BYTES
 * as JSON: each statement names every versioned purl the release is known as, with its packages inside each. Counted
 * before the document is made.
 */
export function checkOpenVexSize(findings: readonly ReleaseFinding[], products: readonly string[]): void {
  const productBytes = products.reduce((n, p) => n + jsonStringBytes(p) + 32, 0);
  let bytes = 0;
  for (const [n, g] of openVexGroups(findings).entries()) {
    bytes += productBytes + products.length * g.packages.reduce((k, p) => k + jsonStringBytes(p) + 16, 0);
    if (bytes > MAX_VULNERABILITY_DOCUMENT_BYTES)
      throw new FormatError(
        'VULNERABILITIES_TOO_LARGE',
        `the OpenVEX document would name the release's ${products.length} versioned purls with the packages ` +
          `inside each, more than ${MAX_VULNERABILITY_DOCUMENT_BYTES} bytes by its ${n + 1}th statement: name ` +
          'fewer products (--product)',
        { file: 'release.openvex.json' },
      );
  }
}

/**
 * The release's dispositions as OpenVEX 0.2.0 statements (what `cosign attest --type openvex` and vexctl write): one
 * statement per vulnerability and disposition, about the release's versioned products with the packages it settles as
 * subcomponents, carrying the source statement's justification, impact and action. Findings no VEX statement covers
 * are not stated (nothing was decided about them). Strings are made well formed here, once, not copied after.
 */
function openVexStatements(doc: VulnerabilitiesDocument): Record<string, unknown>[] {
  const restated = restatedProducts(doc.release.products).map(wellFormedText);
  return openVexGroups(doc.findings).map(({ finding: f, packages }) => {
    // One list of subcomponents, shared by every product of the statement: written once per product, held once.
    const subcomponents = packages.map((p) => ({ '@id': wellFormedText(p) }));
    return {
      // Aliases are other names of one vulnerability: an umbrella finding (ids naming several CVEs) is restated by
      // its own id alone, or a reader would settle each of its CVEs on its own.
      vulnerability: {
        name: wellFormedText(f.id),
        ...(f.aliases.length && vulnerabilityIds([f.id, ...f.aliases]).cves.size <= 1
          ? { aliases: f.aliases.map(wellFormedText) }
          : {}),
      },
      ...(f.statusOrderedAt ? { timestamp: wellFormedText(f.statusOrderedAt) } : {}),
      products: restated.map((p) => ({ '@id': p, subcomponents })),
      status: f.status as VexStatus,
      ...(f.justification ? { justification: wellFormedText(f.justification) } : {}),
      ...(f.impactStatement ? { impact_statement: wellFormedText(f.impactStatement) } : {}),
      ...(f.actionStatement ? { action_statement: wellFormedText(f.actionStatement) } : {}),
    };
  });
}

/** The document around its statements' canonical JSON: its id is their hash. */
function openVexFrame(doc: VulnerabilitiesDocument, created: string, statementsJson: Buffer) {
  return {
    '@context': OPENVEX_CONTEXT,
    '@id': `urn:evidence:openvex:sha256:${sha256Hex(statementsJson)}`,
    author: wellFormedText(`${doc.release.name} ${doc.release.version} (evidence bundle, restating its VEX documents)`),
    role: 'Document Creator',
    timestamp: wellFormedText(created),
    version: 1,
  };
}

/** The release's dispositions as an OpenVEX 0.2.0 document; undefined when there is no disposition at all. */
export function openVexDocument(doc: VulnerabilitiesDocument, created: string): Record<string, unknown> | undefined {
  const statements = openVexStatements(doc);
  if (statements.length === 0) return undefined;
  return { ...openVexFrame(doc, created, canonicalBytes(statements)), statements };
}

/**
 * The OpenVEX document's canonical bytes, the statements serialized once: the frame is written with an empty list
 * that their JSON then fills (no string in canonical JSON holds an unescaped quote, so the empty list is found once).
 */
export function openVexBytes(doc: VulnerabilitiesDocument, created: string): Buffer | undefined {
  const statements = openVexStatements(doc);
  if (statements.length === 0) return undefined;
  const json = canonicalBytes(statements);
  const frame = canonicalize({ ...openVexFrame(doc, created, json), statements: [] });
  const at = frame.indexOf('"statements":[]') + '"statements":'.length;
  return Buffer.concat([Buffer.from(frame.slice(0, at), 'utf8'), json, Buffer.from(frame.slice(at + 2), 'utf8')]);
}

/** Reports' text with lone UTF-16 surrogates (which JSON cannot carry) replaced. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function wellFormedText(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}
