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
 * The longest a tag (from `<` to its `>`, attributes included) may be. fast-xml-parser's validator builds a tag's
 * attributes a character at a time, in about 36 bytes of memory per character: a 100 MB attribute took 3.9 GB, and
 * 250 MB ended the process (a review's measures). Text and CDATA are not read that way, and stay unbounded here.
 */
export const MAX_XML_TAG_CHARS = 1024 * 1024;

/** The first tag longer than MAX_XML_TAG_CHARS, skipping comments, CDATA, processing instructions and declarations. */
function overlongTag(text: string): { index: number; length: number } | undefined {
  const skip: [string, string][] = [
    ['<!--', '-->'],
    ['<![CDATA[', ']]>'],
    ['<?', '?>'],
    ['<!', '>'],
  ];
  let i = text.indexOf('<');
  while (i !== -1) {
    const special = skip.find(([open]) => text.startsWith(open, i));
    let end: number;
    if (special) {
      end = text.indexOf(special[1], i + special[0].length);
      end = end === -1 ? text.length : end + special[1].length;
    } else {
      // A tag ends at the first `>` outside quotes.
      let quote = '';
      end = i + 1;
      for (; end < text.length && end - i <= MAX_XML_TAG_CHARS; end++) {
        const c = text[end];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (end - i > MAX_XML_TAG_CHARS) {
        // Its length, to say it: the first `>` after it (a quote within it may end earlier; this is for the message).
        const close = text.indexOf('>', end);
        return { index: i, length: (close === -1 ? text.length : close + 1) - i };
      }
      end++;
    }
    i = text.indexOf('<', end);
  }
  return undefined;
}

/**
 * Parses XML that arrives as evidence: the one XML reader of collector, diff
 * and policy. Entities are not expanded (no DOCTYPE tricks), attributes are
 * kept with an '@' prefix, and every element becomes an array so documents
 * with one or many children read the same way. `label` names the document in
 * errors (FormatError XML_INVALID, XML_DOCTYPE_NOT_ALLOWED).
 */
export function parseXml(label: string, bytes: Buffer): XmlNode {
  const text = stripBom(bytes.toString('utf8'));
  // Entity declarations are how XML inputs read files (XXE) or explode
  // (billion laughs), and no report a test or coverage tool writes has any:
  // a document type with an internal subset, or an <!ENTITY> anywhere, is
  // refused before any parser sees it. A bare document type naming an
  // external DTD (Cobertura writes one) is harmless: no parser here loads it.
  const declaration = entityDeclaration(text);
  if (declaration) {
    const line = text.slice(0, declaration.index).split('\n').length;
    const what = declaration.what;
    throw new FormatError(
      'XML_DOCTYPE_NOT_ALLOWED',
      `${label}: line ${line} declares a ${what}; evidence XML must declare no entities`,
      { file: label },
    );
  }
  const long = overlongTag(text);
  if (long !== undefined)
    throw new FormatError('XML_INVALID', `${label}: not read`, {
      file: label,
      issues: [
        {
          path: `line ${text.slice(0, long.index).split('\n').length}`,
          message: `a tag of ${long.length} characters (its attributes); evidence XML is read with tags of at most ${MAX_XML_TAG_CHARS}`,
        },
      ],
    });
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
