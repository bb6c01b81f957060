import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FormatError } from './errors.js';

export type XmlNode = Record<string, unknown>;

/** Text without the byte-order mark some Windows tools write first. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The first entity declaration of a text: an `<!ENTITY`, or a `<!DOCTYPE` whose internal subset (`[`) opens before
 * it closes (`>`). In one pass: each document type reuses the positions of the next `>` and `[` found for the one
 * before it while they still lie ahead (a regular expression scanning to the end from each of 20,000 document types
 * took 2 s, and minutes for 200,000).
 */
function entityDeclaration(text: string): { index: number; what: string } | undefined {
  const declarations = /<!(ENTITY|DOCTYPE)\b/gi;
  let close = -2;
  let subset = -2;
  for (let m = declarations.exec(text); m; m = declarations.exec(text)) {
    if ((m[1] as string).toUpperCase() === 'ENTITY') return { index: m.index, what: '<!ENTITY>' };
    const from = m.index + m[0].length;
    if (close !== -1 && close < from) close = text.indexOf('>', from);
    if (subset !== -1 && subset < from) subset = text.indexOf('[', from);
    if (subset !== -1 && (close === -1 || subset < close))
      return { index: m.index, what: '<!DOCTYPE> with an internal subset' };
  }
  return undefined;
}

/**
 * The most bytes of XML read. fast-xml-parser's validator, which keeps the reading strict, builds what it reads a
 * character at a time: about 36 to 40 bytes of memory per byte, text, attributes and declarations alike (60 MB of text
 * took 2.4 GB; 250 MB ended the process). Measured at 32 MiB: a peak RSS of 1.3 GB, text or one attribute. Larger test
 * and coverage reports can be split, or given in a line format (lcov).
 */
export const MAX_XML_BYTES = 32 * 1024 * 1024;

/**
 * The rule by which XML text was read before entities were decoded: every attribute value and text as written, `&gt;`
 * for `>`. Bundles signed then state their JUnit reports' test names so; a verifier makes that form again, and accepts
 * it, named, only when every line is in it (formats/standard-statements.ts, verifier/stated-attestations.ts).
 */
export const LEGACY_XML_TEXT = 'legacy-xml-text';
/** How XML text is read: `current` decodes references (below); LEGACY_XML_TEXT keeps them as written. */
export type XmlText = 'current' | typeof LEGACY_XML_TEXT;

/** XML's five predefined entities: the only names a document without a DTD can use (and a DTD declaring others is refused). */
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));/g;

/** Why a code point is no character a reference may name: 0, a UTF-16 surrogate, or past Unicode's last. */
function notACharacter(cp: number): string | undefined {
  if (cp === 0) return 'U+0000, which no XML text may hold';
  if (cp >= 0xd800 && cp <= 0xdfff) return `U+${cp.toString(16).toUpperCase()}, a UTF-16 surrogate, not a character`;
  if (cp > 0x10ffff) return 'a number past U+10FFFF, the last code point of Unicode';
  return undefined;
}

/** A character reference to no character, as found: the reference, why, and the decoded text it was left in. */
interface BadReference {
  reference: string;
  why: string;
  text: string;
}

/**
 * Decodes a text or attribute value in one pass: the five predefined entities and numeric character references
 * (`&#65;`, `&#x41;`), so `&amp;lt;` reads `&lt;`, never `<`. Any other name (`&nbsp;`: declared by no DTD here) is
 * kept as written. A reference to no character is kept as written and recorded in `bad`.
 */
export function decodeXmlText(text: string, bad: BadReference[] = []): string {
  if (!text.includes('&')) return text;
  const found: string[] = [];
  const decoded = text.replace(REFERENCE, (reference, dec?: string, hex?: string, name?: string) => {
    if (name) return PREDEFINED[name] as string;
    const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
    const why = notACharacter(cp);
    if (why === undefined) return String.fromCodePoint(cp);
    found.push(reference, why);
    return reference;
  });
  for (let i = 0; i < found.length; i += 2)
    bad.push({ reference: found[i] as string, why: found[i + 1] as string, text: decoded });
  return decoded;
}

/**
 * fast-xml-parser's hook for decoding (`entityDecoder`): it decodes each text and attribute value, and never CDATA,
 * comments or names, which the library tells apart. Its own decoder with `htmlEntities` off leaves `&#65;` as written,
 * and drops `&#0;` and `&#xD800;` silently: this one decodes every character reference and records those to no
 * character. Entity declarations never reach it (refused before parsing); were the library to hand it some, it refuses.
 */
function strictDecoder(bad: BadReference[]) {
  const refuse = (entities: Record<string, string>): void => {
    if (Object.keys(entities).length > 0) throw new Error('entity declarations are not read');
  };
  return {
    decode: (text: string): string => decodeXmlText(text, bad),
    addInputEntities: refuse,
    setExternalEntities: refuse,
    reset: (): void => undefined,
    setXmlVersion: (): void => undefined,
  };
}

/**
 * Where in a parsed document a value holds `text`, as a path (`/testsuites/testsuite[1]/testcase[2]/@name`): an
 * element's own values first, then its children in order, depth first on a stack of our own.
 */
function whereText(doc: XmlNode, text: string): string | undefined {
  const stack: { node: unknown; at: string }[] = [{ node: doc, at: '' }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { node, at } = top;
    if (typeof node === 'string') {
      if (node.includes(text)) return `${at}/text()`;
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const entries = Object.entries(node as XmlNode);
    for (const [name, value] of entries)
      if (typeof value === 'string' && value.includes(text)) return name === '#text' ? `${at}/text()` : `${at}/${name}`;
    for (const [name, value] of entries.reverse()) {
      if (!Array.isArray(value)) continue;
      // The root is one element: named without an index, as the readers name paths (`/testsuites/testsuite[1]`).
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ node: value[i], at: at === '' ? `/${name}` : `${at}/${name}[${i + 1}]` });
    }
  }
  return undefined;
}

/**
 * Parses XML that arrives as evidence: the one XML reader of collector, diff
 * and policy. Entity declarations are refused (no DOCTYPE tricks); every text
 * and attribute value is decoded (XML's five entities and numeric character
 * references, decodeXmlText), or, in the LEGACY_XML_TEXT form, kept as written;
 * attributes are kept with an '@' prefix, and every element becomes an array
 * so documents with one or many children read the same way. `label` names the
 * document in errors (FormatError XML_INVALID, which names the value holding a
 * reference to no character, XML_DOCTYPE_NOT_ALLOWED).
 */
export function parseXml(label: string, bytes: Buffer, form: XmlText = 'current'): XmlNode {
  if (bytes.length > MAX_XML_BYTES)
    throw new FormatError(
      'XML_TOO_LARGE',
      `${label}: ${bytes.length} bytes of XML; evidence XML is read up to ${MAX_XML_BYTES} bytes (split the report, or give coverage as lcov)`,
      { file: label },
    );
  const text = stripBom(bytes.toString('utf8'));
  // Entity declarations are how XML inputs read files (XXE) or explode
  // (billion laughs), and no report a test or coverage tool writes has any:
  // a document type with an internal subset, or an <!ENTITY> anywhere, is
  // refused before any parser sees it. A bare document type naming an
  // external DTD (Cobertura writes one) is harmless: no parser here loads it.
  const declaration = entityDeclaration(text);
  if (declaration) {
    const line = text.slice(0, declaration.index).split('\n').length;
    throw new FormatError(
      'XML_DOCTYPE_NOT_ALLOWED',
      `${label}: line ${line} declares a ${declaration.what}; evidence XML must declare no entities`,
      { file: label },
    );
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    throw new FormatError('XML_INVALID', `${label}: not well-formed XML`, {
      file: label,
      issues: [{ path: `line ${line}, column ${col}`, message: msg }],
    });
  }
  const bad: BadReference[] = [];
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    processEntities: form === 'current',
    htmlEntities: false,
    entityDecoder: strictDecoder(bad),
    ignoreDeclaration: true,
    ignorePiTags: true,
    removeNSPrefix: false,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  });
  let doc: XmlNode;
  try {
    doc = parser.parse(text) as XmlNode;
  } catch (e) {
    throw new FormatError('XML_INVALID', `${label}: not well-formed XML (${(e as Error).message})`, {
      file: label,
      cause: e,
    });
  }
  const first = bad[0];
  if (first) {
    const where = whereText(doc, first.text) ?? 'a text or attribute value';
    throw new FormatError(
      'XML_INVALID',
      `${label}: ${where} holds ${first.reference}, a character reference to ${first.why}`,
      { file: label, issues: [{ path: where, message: `${first.reference} refers to ${first.why}` }] },
    );
  }
  return doc;
}

export function children(node: unknown, name: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  return Array.isArray(value) ? (value as XmlNode[]).map((v) => (v && typeof v === 'object' ? v : { '#text': v })) : [];
}

export function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

export function textOf(node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  const v = node['#text'];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
