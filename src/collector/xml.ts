import { FormatError } from '../formats/errors.js';
import { parseXml as parseXmlDocument, type XmlNode } from '../formats/xml.js';
import type { CollectorInput } from './collector.js';
import { CollectError } from './errors.js';

export { attr, children, textOf, type XmlNode } from '../formats/xml.js';

/** The XML reader of src/formats/xml.ts, failing as a CollectError with the same code and issues. */
export function parseInputXml(input: CollectorInput, bytes: Buffer): XmlNode {
  try {
    return parseXmlDocument(input.label, bytes);
  } catch (e) {
    if (e instanceof FormatError && (e.code === 'XML_INVALID' || e.code === 'XML_DOCTYPE_NOT_ALLOWED'))
      throw new CollectError(e.code, e.message, { file: input.label, issues: e.issues, cause: e });
    throw e;
  }
}
