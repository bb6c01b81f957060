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
 * Parses XML that arrives as evidence: the one XML reader of collector, diff
 * and policy. Entities are not expanded (no DOCTYPE tricks), attributes are
 * kept with an '@' prefix, and every element becomes an array so documents
 * with one or many children read the same way. `label` names the document in
 * errors (FormatError XML_INVALID, XML_DOCTYPE_NOT_ALLOWED).
 */
export function parseXml(label: string, bytes: Buffer): XmlNode {
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
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    removeNSPrefix: false,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  });
  try {
    return parser.parse(text) as XmlNode;
  } catch (e) {
    throw new FormatError('XML_INVALID', `${label}: not well-formed XML (${(e as Error).message})`, {
      file: label,
      cause: e,
    });
  }
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
