/**
 * The OSCAL 1.1.3 datatypes and the global constructs of the metadata
 * metaschema (metadata, property, link, hash, back-matter resource), as Zod
 * schemas: the building blocks of the Assessment Results schema (src/formats/oscal.ts,
 * which states the conventions and sources they follow).
 */
import * as z from 'zod';

// ---------------------------------------------------------------------------
// Datatypes (JSON Schema 1.1.3 definitions)
// ---------------------------------------------------------------------------

/** UUIDDatatype: an RFC 4122 version 4 or version 5 UUID (variant 8, 9, a or b). */
export const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;

/**
 * DateTimeWithTimezoneDatatype: years 1900-2999, seconds required, optional
 * fractional seconds, then `Z` or one of the listed UTC offsets. A timezone is
 * required.
 */
export const DATETIME_WITH_TZ =
  /^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$/;

/** TokenDatatype (an XML NCName): a letter or `_`, then letters, digits, `.`, `-`, `_`. */
export const TOKEN = /^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u;

/** StringDatatype: non-empty, no leading or trailing whitespace (newlines allowed inside). */
const STRING_PATTERN = /^\S(.*\S)?$/s;

/** URIDatatype: an absolute URI (a scheme, `:`, then something). */
const URI_PATTERN = /^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$/;

/** Base64Datatype. */
const BASE64_PATTERN = /^[0-9A-Za-z+/]+={0,2}$/;

/** EmailAddressDatatype: StringDatatype plus `^.+@.+$`. */
const EMAIL_PATTERN = /^.+@.+$/;

export const uuid = z.string().regex(UUID_PATTERN, { message: 'must be a version 4 or 5 UUID (RFC 4122)' });
export const dateTimeWithTz = z
  .string()
  .regex(DATETIME_WITH_TZ, { message: 'must be a date-time with a timezone, e.g. 2024-05-01T12:00:00Z' });
export const token = z
  .string()
  .regex(TOKEN, { message: 'must be a token (a letter or _, then letters, digits, ".", "-" or "_")' });
export const oscalString = z
  .string()
  .regex(STRING_PATTERN, { message: 'must be a non-empty string without leading or trailing whitespace' });
export const uri = z.string().regex(URI_PATTERN, { message: 'must be an absolute URI' });
/** URIReferenceDatatype: no pattern (absolute, relative or a `#uuid` fragment). */
export const uriReference = z.string();
/** markup-line / markup-multiline: Markdown text, no pattern in JSON. */
export const markupLine = z.string();
export const markupMultiline = z.string();
const email = oscalString.regex(EMAIL_PATTERN, { message: 'must be an email address' });

/** An optional-in-the-model array: when present, at least one item. */
export function nonEmpty<T extends z.ZodType>(item: T) {
  return z.array(item).min(1, { message: 'must have at least one item (leave the key out instead of an empty array)' });
}

// ---------------------------------------------------------------------------
// Global constructs (oscal_metadata_metaschema.xml)
// ---------------------------------------------------------------------------

/** `property`: a namespaced name/value pair. */
export const oscalPropertySchema = z.strictObject({
  name: token,
  uuid: uuid.optional(),
  ns: uri.optional(),
  value: oscalString,
  class: token.optional(),
  group: token.optional(),
  remarks: markupMultiline.optional(),
});

/** `link`: a reference to a local (`#uuid`) or remote resource. */
export const oscalLinkSchema = z.strictObject({
  href: uriReference,
  rel: token.optional(),
  'media-type': oscalString.optional(),
  'resource-fragment': oscalString.optional(),
  text: markupLine.optional(),
});

export const props = nonEmpty(oscalPropertySchema).optional();
export const links = nonEmpty(oscalLinkSchema).optional();

/** `document-id`. */
const documentIdSchema = z.strictObject({
  scheme: uri.optional(),
  identifier: oscalString,
});

/** `responsible-party`: a role filled by one or more parties. */
export const responsiblePartySchema = z.strictObject({
  'role-id': token,
  'party-uuids': nonEmpty(uuid),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `revision` (metadata.revisions). */
const revisionSchema = z.strictObject({
  title: markupLine.optional(),
  published: dateTimeWithTz.optional(),
  'last-modified': dateTimeWithTz.optional(),
  version: oscalString,
  'oscal-version': oscalString.optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `role`. */
const roleSchema = z.strictObject({
  id: token,
  title: markupLine,
  'short-name': oscalString.optional(),
  description: markupMultiline.optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `address`. */
const addressSchema = z.strictObject({
  type: token.optional(),
  'addr-lines': nonEmpty(oscalString).optional(),
  city: oscalString.optional(),
  state: oscalString.optional(),
  'postal-code': oscalString.optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { message: 'must be a two-letter country code' })
    .optional(),
});

/** `telephone-number`. */
const telephoneNumberSchema = z.strictObject({
  type: oscalString.optional(),
  number: oscalString,
});

/** `location`. */
const locationSchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  address: addressSchema.optional(),
  'email-addresses': nonEmpty(email).optional(),
  'telephone-numbers': nonEmpty(telephoneNumberSchema).optional(),
  urls: nonEmpty(uri).optional(),
  props,
  links,
  remarks: markupMultiline.optional(),
});

/** `party`: a person or an organization (closed enumeration). */
const partySchema = z.strictObject({
  uuid,
  type: z.enum(['person', 'organization']),
  name: oscalString.optional(),
  'short-name': oscalString.optional(),
  'external-ids': nonEmpty(z.strictObject({ scheme: uri, id: oscalString })).optional(),
  props,
  links,
  'email-addresses': nonEmpty(email).optional(),
  'telephone-numbers': nonEmpty(telephoneNumberSchema).optional(),
  addresses: nonEmpty(addressSchema).optional(),
  'location-uuids': nonEmpty(uuid).optional(),
  'member-of-organizations': nonEmpty(uuid).optional(),
  remarks: markupMultiline.optional(),
});

/** `action`: an action applied by a role within a given party to the content. */
const actionSchema = z.strictObject({
  uuid,
  date: dateTimeWithTz.optional(),
  type: token,
  system: uri,
  props,
  links,
  'responsible-parties': nonEmpty(responsiblePartySchema).optional(),
  remarks: markupMultiline.optional(),
});

/** `metadata`: title, last-modified, version and oscal-version are required. */
export const oscalMetadataSchema = z.strictObject({
  title: markupLine,
  published: dateTimeWithTz.optional(),
  'last-modified': dateTimeWithTz,
  version: oscalString,
  'oscal-version': oscalString,
  revisions: nonEmpty(revisionSchema).optional(),
  'document-ids': nonEmpty(documentIdSchema).optional(),
  props,
  links,
  roles: nonEmpty(roleSchema).optional(),
  locations: nonEmpty(locationSchema).optional(),
  parties: nonEmpty(partySchema).optional(),
  'responsible-parties': nonEmpty(responsiblePartySchema).optional(),
  actions: nonEmpty(actionSchema).optional(),
  remarks: markupMultiline.optional(),
});

/** Hex digest length (characters) per hash algorithm (metaschema `hash` constraints). */
const HASH_HEX_LENGTHS = new Map<string, number>([
  ['SHA-224', 56],
  ['SHA-256', 64],
  ['SHA-384', 96],
  ['SHA-512', 128],
  ['SHA3-224', 56],
  ['SHA3-256', 64],
  ['SHA3-384', 96],
  ['SHA3-512', 128],
]);

/**
 * `hash`: `{algorithm, value}`. For the SHA-2 / SHA-3 algorithms the value
 * must be hex of the digest's length (a metaschema rule the JSON Schema does
 * not carry); other algorithms are accepted as any string.
 */
export const oscalHashSchema = z
  .strictObject({
    algorithm: oscalString,
    value: oscalString,
  })
  .superRefine((hash, ctx) => {
    const length = HASH_HEX_LENGTHS.get(hash.algorithm);
    if (length === undefined) return;
    if (hash.value.length !== length || !/^[0-9A-Fa-f]+$/.test(hash.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `a ${hash.algorithm} hash must be ${length} hex characters`,
      });
    }
  });

/** `rlink`: a pointer to an external copy of a resource. */
const rlinkSchema = z.strictObject({
  href: uriReference,
  'media-type': oscalString.optional(),
  hashes: nonEmpty(oscalHashSchema).optional(),
});

/** `resource` (back-matter). */
export const oscalResourceSchema = z.strictObject({
  uuid,
  title: markupLine.optional(),
  description: markupMultiline.optional(),
  props,
  'document-ids': nonEmpty(documentIdSchema).optional(),
  citation: z.strictObject({ text: markupLine, props, links }).optional(),
  rlinks: nonEmpty(rlinkSchema).optional(),
  base64: z
    .strictObject({
      filename: token.optional(),
      'media-type': oscalString.optional(),
      value: z.string().regex(BASE64_PATTERN, { message: 'must be base64' }),
    })
    .optional(),
  remarks: markupMultiline.optional(),
});

/** `back-matter`. */
export const backMatterSchema = z.strictObject({
  resources: nonEmpty(oscalResourceSchema).optional(),
});
