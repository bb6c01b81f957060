import { appendAll } from '../core/objects.js';
import { safeParseBounded } from '../core/issues.js';
import { parseJsonShallow } from '../core/strict-json.js';
import parseSpdxExpression from 'spdx-expression-parse';
import { FormatError } from './errors.js';
import { LICENSE_REF_PATTERN, spdxDescribedIds, spdxDocumentSchema, type SpdxDocument } from './spdx.js';
import { parseSpdxTagValue } from './spdx-tag-value.js';
import { children, parseXml, stripBom, textOf, type XmlNode } from './xml.js';

/** The media types the SBOM collector records, and by which the SBOM is read again. */
export const MEDIA_TYPES = {
  cyclonedxJson: 'application/vnd.cyclonedx+json',
  cyclonedxXml: 'application/vnd.cyclonedx+xml',
  spdxJson: 'application/spdx+json',
  spdxTagValue: 'text/spdx',
} as const;

/** A component read from an SBOM; `key` identifies it across releases. */
export interface SbomComponent {
  key: string;
  name: string;
  version: string | null;
  purl?: string;
  /**
   * The SPDX licence ids the component names (ids in expressions, LicenseRef-…); null when it names no licence at all.
   */
  licenses: string[] | null;
  /**
   * The SPDX expressions, as written, that say more than one licence id (`MIT OR GPL-3.0-only`, `GPL-2.0-only WITH
   * Classpath-exception-2.0`, `GPL-2.0+`): a licence id above may be one choice among others, one condition of
   * several, or carry an exception. Absent when the component declares none.
   */
  expressions?: string[];
}

export interface SbomContents {
  /** Every component but the product the SBOM describes, nested ones included. */
  components: SbomComponent[];
  /** The product's version: CycloneDX metadata.component.version, SPDX's described package's versionInfo. */
  describedVersion?: string;
}

/**
 * The one reader of an SBOM already collected (diff, policy), by the media
 * type its collector recorded: CycloneDX JSON and XML, SPDX JSON and
 * tag-value. The collector validates against the formats' schemas on the way
 * in; this reads what it needs and fails with FormatError SBOM_UNREADABLE
 * (or XML_INVALID, XML_DOCTYPE_NOT_ALLOWED) naming `label`.
 */
export function readSbom(bytes: Buffer, mediaType: string, label: string): SbomContents {
  switch (mediaType) {
    case MEDIA_TYPES.cyclonedxJson:
      return cdxJson(json(bytes, label), label);
    case MEDIA_TYPES.cyclonedxXml:
      return cdxXml(parseXml(label, bytes), label);
    case MEDIA_TYPES.spdxJson:
      return spdx(json(bytes, label), label);
    case MEDIA_TYPES.spdxTagValue: {
      const parsed = parseSpdxTagValue(stripBom(bytes.toString('utf8')));
      if (!parsed.ok)
        throw unreadable(
          label,
          `not valid SPDX tag-value (line ${parsed.issues[0]?.line ?? '?'}: ${parsed.issues[0]?.message ?? ''})`,
        );
      return spdx(parsed.document, label);
    }
    default:
      throw unreadable(label, `unknown SBOM media type ${mediaType}`);
  }
}

function unreadable(label: string, why: string): FormatError {
  return new FormatError('SBOM_UNREADABLE', `${label}: ${why}`, { file: label });
}

function json(bytes: Buffer, label: string): unknown {
  try {
    // At most MAX_JSON_DEPTH levels: what reads the document after walks it by recursion (a bundle's SBOM is hostile).
    return parseJsonShallow(stripBom(bytes.toString('utf8')));
  } catch (e) {
    throw unreadable(label, `not valid JSON (${(e as Error).message})`);
  }
}

const described = (version: string | undefined): { describedVersion?: string } =>
  version === undefined ? {} : { describedVersion: version };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function component(
  name: string,
  version: string | undefined,
  purl: string | undefined,
  licenses: string[] | null,
  expressions: readonly string[] = [],
): SbomComponent {
  const base = purl ? purlWithoutVersion(purl) : undefined;
  // An expression that says more than one licence id: several ids, an exception (WITH), or "or later" (+).
  const compound = [...new Set(expressions.map((e) => e.trim()))].filter(
    (e) => expressionIds(e).length > 1 || /\sWITH\s|[^\s(]\+(?=$|[\s)])/.test(e),
  );
  return {
    key: base ? `purl:${base}` : `name:${name}`,
    name,
    version: version ?? null,
    ...(purl ? { purl } : {}),
    licenses,
    ...(compound.length ? { expressions: compound } : {}),
  };
}

/** Distinct licence ids over every component, sorted, and how many components name no licence. */
export function licenceTally(components: readonly SbomComponent[]): { licenses: string[]; unlicensed: number } {
  const ids = new Set<string>();
  let unlicensed = 0;
  for (const c of components) {
    if (c.licenses === null) unlicensed++;
    else c.licenses.forEach((id) => ids.add(id));
  }
  return { licenses: [...ids].sort(), unlicensed };
}

/**
 * The longest SPDX licence expression parsed (characters). spdx-expression-parse scans the rest of the text again for
 * each token, so its time grows with the square of the length: 300,000 terms took 116 s in an outside review. Real
 * expressions are a few dozen characters; a longer one is read as one opaque id, or refused where it must be valid.
 */
export const MAX_LICENSE_EXPRESSION = 4096;

/** A licence id as SPDX lists them (§10.1's idstring), perhaps with `+` (or later). */
const LISTED_ID_PATTERN = /^[A-Za-z0-9.-]+\+?$/;

/**
 * Whether a component's licence ids all read as SPDX licence ids: an idstring of letters, digits, `-` and `.` with
 * perhaps a trailing `+`, or a `LicenseRef-` (with its `DocumentRef-…:`, spdx.ts's pattern). An expression that does not parse is kept as itself,
 * one "id" no licence question finds (`MIT/Apache-2.0`, `MIT / Apache-2.0`, `GPL v2`; or one over
 * MAX_LICENSE_EXPRESSION); NOASSERTION and NONE name none. An id alone, whether SPDX lists it or not, is found by its
 * name.
 */
export function licenceIdsRead(ids: readonly string[] | null): boolean {
  return (
    ids !== null &&
    ids.length > 0 &&
    ids.every(
      (id) => (LISTED_ID_PATTERN.test(id) || LICENSE_REF_PATTERN.test(id)) && id !== 'NOASSERTION' && id !== 'NONE',
    )
  );
}

/** License ids in an SPDX expression; an unparsable expression (or one over MAX_LICENSE_EXPRESSION) counts as itself. */
export function expressionIds(expression: string): string[] {
  const trimmed = expression.trim();
  if (!trimmed) return [];
  if (trimmed.length > MAX_LICENSE_EXPRESSION) return [trimmed];
  try {
    const out: string[] = [];
    const walk = (node: parseSpdxExpression.Info): void => {
      if ('license' in node) out.push(node.license);
      else {
        walk(node.left);
        walk(node.right);
      }
    };
    walk(parseSpdxExpression(trimmed));
    return out;
  } catch {
    return [trimmed];
  }
}

/** The expressions of a CycloneDX JSON component's `licenses`, as written. */
function cdxJsonExpressions(value: unknown): string[] {
  return Array.isArray(value)
    ? (value as ({ expression?: unknown } | null)[]).flatMap((choice) => str(choice?.expression) ?? [])
    : [];
}

/** A CycloneDX JSON component's licences: ids and expression ids; null when its `licenses` names none. */
function cdxJsonLicences(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const ids: string[] = [];
  for (const choice of value as ({ license?: { id?: unknown }; expression?: unknown } | null)[]) {
    const id = str(choice?.license?.id);
    if (id) ids.push(id);
    const expression = str(choice?.expression);
    if (expression) appendAll(ids, expressionIds(expression));
  }
  return ids;
}

/** A CycloneDX XML component's licences; null when its <licenses> holds no <license> or <expression>. */
function cdxXmlLicences(c: XmlNode): string[] | null {
  const block = children(c, 'licenses')[0];
  const named = children(block, 'license');
  const expressions = children(block, 'expression');
  if (named.length + expressions.length === 0) return null;
  return [
    ...named.flatMap((l) => textOf(children(l, 'id')[0]) ?? []),
    ...expressions.flatMap((e) => expressionIds(textOf(e) ?? '')),
  ];
}

function cdxName(name: string, group: string | undefined): string {
  return group ? `${group}/${name}` : name;
}

function cdxJson(json: unknown, label: string): SbomContents {
  if (!json || typeof json !== 'object') throw unreadable(label, 'not a JSON object');
  return cycloneDxJsonContents(json);
}

/** The components of a CycloneDX JSON document (nested ones included) and the product's version. */
export function cycloneDxJsonContents(json: object): SbomContents {
  const out: SbomComponent[] = [];
  const doc = json as { components?: unknown; metadata?: { component?: { version?: unknown } } };
  // Each component, then those nested in it, then its next sibling: on a stack of our own, since how deep components
  // nest is the document's to choose.
  for (const c of depthFirst(doc.components, (x) =>
    x && typeof x === 'object' ? (x as Record<string, unknown>).components : undefined,
  )) {
    if (!c || typeof c !== 'object') continue;
    const r = c as Record<string, unknown>;
    const name = str(r.name);
    if (name)
      out.push(
        component(
          cdxName(name, str(r.group)),
          str(r.version),
          str(r.purl),
          cdxJsonLicences(r.licenses),
          cdxJsonExpressions(r.licenses),
        ),
      );
  }
  return { components: out, ...described(str(doc.metadata?.component?.version)) };
}

/** The items of `list` and, after each, those of `nested(item)`, depth first, without recursion. */
function* depthFirst<T>(list: unknown, nested: (item: T) => unknown): Generator<T> {
  const stack: { items: readonly T[]; at: number }[] = Array.isArray(list) ? [{ items: list as T[], at: 0 }] : [];
  for (let top = stack.at(-1); top; top = stack.at(-1)) {
    if (top.at >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.at++] as T;
    yield item;
    const inner = nested(item);
    if (Array.isArray(inner) && inner.length > 0) stack.push({ items: inner as T[], at: 0 });
  }
}

function cdxXml(doc: XmlNode, label: string): SbomContents {
  const bom = children(doc, 'bom')[0];
  if (!bom) throw unreadable(label, 'no CycloneDX <bom>');
  return cycloneDxXmlContents(bom);
}

/** The components of a CycloneDX XML <bom> (nested ones included) and the product's version. */
export function cycloneDxXmlContents(bom: XmlNode): SbomContents {
  const out: SbomComponent[] = [];
  const top = children(children(bom, 'components')[0], 'component');
  for (const c of depthFirst<XmlNode>(top, (x) => children(children(x, 'components')[0], 'component'))) {
    const name = textOf(children(c, 'name')[0]);
    if (name)
      out.push(
        component(
          cdxName(name, textOf(children(c, 'group')[0])),
          textOf(children(c, 'version')[0]),
          textOf(children(c, 'purl')[0]),
          cdxXmlLicences(c),
          children(children(c, 'licenses')[0], 'expression').flatMap((e) => textOf(e) ?? []),
        ),
      );
  }
  const product = children(children(bom, 'metadata')[0], 'component')[0];
  return { components: out, ...described(textOf(children(product, 'version')[0])) };
}

function spdx(json: unknown, label: string): SbomContents {
  const parsed = safeParseBounded(spdxDocumentSchema, json);
  if (!parsed.success) throw unreadable(label, 'not a valid SPDX 2.3 document');
  return spdxContents(parsed.data);
}

/** The packages of an SPDX document but the ones it describes (the product), and the product's version. */
export function spdxContents(doc: SpdxDocument): SbomContents {
  // The package the document describes is the product, not a component (as the collector counts).
  const ids = spdxDescribedIds(doc);
  const packages = doc.packages ?? [];
  const components = packages
    .filter((p) => !ids.has(p.SPDXID))
    .map((p) => {
      const purl = (p.externalRefs ?? []).find((r) => r.referenceType === 'purl')?.referenceLocator;
      const declared = [p.licenseDeclared, p.licenseConcluded].flatMap((v) =>
        typeof v === 'string' && v !== 'NOASSERTION' && v !== 'NONE' ? [v] : [],
      );
      return component(
        p.name,
        str(p.versionInfo),
        str(purl),
        declared.length ? declared.flatMap(expressionIds) : null,
        declared,
      );
    });
  return { components, ...described(str(packages.find((p) => ids.has(p.SPDXID))?.versionInfo)) };
}

/**
 * A purl without its version: `pkg:npm/%40scope/name@1.2.3?arch=x#sub` →
 * `pkg:npm/%40scope/name?arch=x#sub`. The version is the part after the last
 * '@' of the name (an unencoded npm scope '@' comes before a '/').
 */
export function purlWithoutVersion(purl: string): string {
  const cut = purl.search(/[?#]/);
  const head = cut === -1 ? purl : purl.slice(0, cut);
  const tail = cut === -1 ? '' : purl.slice(cut);
  const at = head.lastIndexOf('@');
  return (at > head.lastIndexOf('/') ? head.slice(0, at) : head) + tail;
}
