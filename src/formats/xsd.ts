import type { Issue } from '../core/issues.js';
import { FormatError } from './errors.js';

type Libxml2 = typeof import('libxml2-wasm');
type XmlDocument = import('libxml2-wasm').XmlDocument;
type XsdValidator = import('libxml2-wasm').XsdValidator;
type ErrorDetail = import('libxml2-wasm').ErrorDetail;

/**
 * The files of one XML Schema: the main schema's file name, and a reader for
 * it and for every file it imports or includes, by plain file name (a name the
 * reader does not know, it answers `undefined`, and the schema does not load).
 */
export interface XsdSources {
  main: string;
  read(name: string): Uint8Array | undefined;
}

/** A compiled XML Schema, kept for the life of the process. */
export interface XsdSchema {
  /** What the schema finds wrong in an XML document, each with its line; none when the document conforms. */
  validate(label: string, bytes: Uint8Array): Issue[];
}

/*
 * XML Schema validation through libxml2 compiled to WebAssembly
 * (libxml2-wasm): no native build, so the same install works on every Node.
 * Its 1 MB module is loaded on first use only.
 *
 * Nothing outside what the caller hands over is ever read:
 * - one input provider, registered once, answers every load libxml2 asks for
 *   (so its own file loader never runs); while a schema compiles it serves
 *   that schema's files, by plain name under a folder that exists nowhere,
 *   and at any other time it refuses, whatever is asked;
 * - documents and schemas are parsed without entity substitution or DTD
 *   loading (XML_PARSE_NO_XXE, XML_PARSE_NONET), and a document that has a
 *   document type or declares an entity is refused before libxml2 sees it
 *   (XML_DOCTYPE_NOT_ALLOWED), as src/formats/xml.ts does with internal subsets;
 * - libxml2-wasm's libxml2 is built without a network client (no nanohttp
 *   in the module), so a load that got past the provider would find no
 *   network either.
 */

const SCHEMA_FOLDER = '/evidence-xsd/';
const ERROR = 2;

let loading: Promise<Libxml2> | undefined;
/** The schema whose files are served; set only while it compiles. */
let serving: XsdSources | undefined;
/** The loads refused while the current schema compiles, to name in its error. */
const refused: string[] = [];
const openFiles = new Map<number, { bytes: Uint8Array; at: number }>();
let nextFile = 1;

const provider = {
  match: (): boolean => true,
  open(filename: string): number | undefined {
    const name = filename.startsWith(SCHEMA_FOLDER) ? filename.slice(SCHEMA_FOLDER.length) : undefined;
    const bytes = serving && name && /^[\w.-]+$/.test(name) ? serving.read(name) : undefined;
    if (!bytes) {
      if (serving) refused.push(filename);
      return undefined;
    }
    const fd = nextFile++;
    openFiles.set(fd, { bytes, at: 0 });
    return fd;
  },
  read(fd: number, buffer: Uint8Array): number {
    const file = openFiles.get(fd);
    if (!file) return -1;
    const n = Math.min(buffer.length, file.bytes.length - file.at);
    buffer.set(file.bytes.subarray(file.at, file.at + n));
    file.at += n;
    return n;
  },
  close: (fd: number): boolean => openFiles.delete(fd),
};

async function libxml2(): Promise<Libxml2> {
  loading ??= import('libxml2-wasm').then((lib) => {
    if (!lib.xmlRegisterInputProvider(provider)) throw new Error('libxml2-wasm took no input provider');
    return lib;
  });
  try {
    return await loading;
  } catch (e) {
    loading = undefined;
    throw e;
  }
}

function parseOptions(lib: Libxml2): number {
  const o = lib.ParseOption;
  return o.XML_PARSE_NONET | o.XML_PARSE_NO_XXE | o.XML_PARSE_NO_SYS_CATALOG;
}

/**
 * Compiles an XML Schema from the files `sources` gives, and nothing else.
 * Fails (a plain Error naming the file, and any file it could not load) when
 * the schema cannot be compiled: that is the caller's fault, not a document's.
 */
export async function loadXsd(sources: XsdSources): Promise<XsdSchema> {
  const lib = await libxml2();
  const main = sources.read(sources.main);
  if (!main) throw new Error(`the schema ${sources.main} cannot be read`);
  serving = sources;
  refused.length = 0;
  let xsd: XmlDocument | undefined;
  let validator: XsdValidator;
  try {
    xsd = lib.XmlDocument.fromBuffer(main, { url: `${SCHEMA_FOLDER}${sources.main}`, option: parseOptions(lib) });
    validator = lib.XsdValidator.fromDoc(xsd);
  } catch (e) {
    xsd?.dispose();
    const missing = refused.length ? ` (could not load ${[...new Set(refused)].join(', ')})` : '';
    throw new Error(`the schema ${sources.main} cannot be compiled${missing}: ${messageOf(e)}`, { cause: e });
  } finally {
    serving = undefined;
  }
  return new CompiledXsd(lib, xsd, validator, xsd.root.attr('targetNamespace')?.value);
}

class CompiledXsd implements XsdSchema {
  constructor(
    private readonly lib: Libxml2,
    /** libxml2's compiled schema may point into the schema document: it lives as long. */
    readonly schemaDocument: XmlDocument,
    private readonly validator: XsdValidator,
    private readonly targetNamespace: string | undefined,
  ) {}

  validate(label: string, bytes: Uint8Array): Issue[] {
    return validateWith(this.lib, this.validator, label, bytes, this.targetNamespace);
  }
}

function validateWith(
  lib: Libxml2,
  validator: XsdValidator,
  label: string,
  bytes: Uint8Array,
  targetNamespace: string | undefined,
): Issue[] {
  refuseDeclarations(label, bytes);
  let doc: XmlDocument;
  try {
    doc = lib.XmlDocument.fromBuffer(bytes, { option: parseOptions(lib) });
  } catch (e) {
    const details = detailsOf(e).filter((d) => d.level >= ERROR);
    if (!details.length) throw e;
    throw new FormatError('XML_INVALID', `${label}: not well-formed XML`, {
      file: label,
      issues: details.map((d) => ({
        path: `line ${d.line}, column ${d.col}`,
        message: tidy(d.message, targetNamespace),
      })),
      cause: e,
    });
  }
  try {
    // A second gate for what the text scan cannot see (a document in UTF-16, say).
    if (doc.dtd) {
      throw new FormatError(
        'XML_DOCTYPE_NOT_ALLOWED',
        `${label}: the prolog declares a <!DOCTYPE>; an XML document validated against a schema must declare no document type or entities`,
        {
          file: label,
          issues: [{ path: 'prolog', message: 'a <!DOCTYPE> declaration' }],
        },
      );
    }
    validator.validate(doc);
    return [];
  } catch (e) {
    if (!(e instanceof lib.XmlValidateError)) throw e;
    const details = detailsOf(e).filter((d) => d.level >= ERROR);
    return details.length
      ? details.map((d) => ({ path: `line ${d.line}`, message: tidy(d.message, targetNamespace) }))
      : [{ path: 'line ?', message: tidy(e.message, targetNamespace) }];
  } finally {
    doc.dispose();
  }
}

/**
 * A document type (with or without an internal subset) or an entity
 * declaration: no schema-valid document needs one, and each is a way to make
 * a parser read files or explode. Refused before libxml2 parses anything.
 */
function refuseDeclarations(label: string, bytes: Uint8Array): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const found = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (!found) return;
  const line = text.slice(0, found.index).split('\n').length;
  const what = (found[1] as string).toUpperCase() === 'ENTITY' ? '<!ENTITY>' : '<!DOCTYPE>';
  throw new FormatError(
    'XML_DOCTYPE_NOT_ALLOWED',
    `${label}: line ${line} declares a ${what}; an XML document validated against a schema must declare no document type or entities`,
    {
      file: label,
      issues: [{ path: `line ${line}`, message: `a ${what} declaration` }],
    },
  );
}

function detailsOf(e: unknown): ErrorDetail[] {
  const details = (e as { details?: unknown }).details;
  return Array.isArray(details) ? (details as ErrorDetail[]) : [];
}

/** libxml2's message on one line, without the `{namespace}` of the schema's own elements. */
function tidy(message: string, targetNamespace: string | undefined): string {
  const text = message.replace(/\s+/g, ' ').trim();
  return targetNamespace ? text.split(`{${targetNamespace}}`).join('') : text;
}

function messageOf(e: unknown): string {
  const details = detailsOf(e).filter((d) => d.level >= ERROR);
  if (details.length) return details.map((d) => `line ${d.line}: ${d.message.trim()}`).join('; ');
  return e instanceof Error ? e.message : String(e);
}
