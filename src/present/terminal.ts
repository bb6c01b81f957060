/**
 * Strings that came from a bundle, an attestation, a registry or an API are
 * printed to terminals, where an ESC sequence or a carriage return can
 * rewrite what was printed before (a FAILED verdict redrawn as VERIFIED), a
 * bidirectional override can reorder it, and a newline can forge a line.
 * Such characters are shown as visible escapes (`\u001b`) instead.
 */

// C0 controls but tab and newline, DEL, C1 controls, bidirectional formatting, line and paragraph separators.
const UNSAFE_IN_OUTPUT =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are made visible
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// The same, and tab and newline too: inside one value nothing may start a new line.
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are made visible
const UNSAFE_IN_VALUE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Whole output on its way to a terminal or pipe: newlines and tabs stay, every other control is made visible. */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE_IN_OUTPUT, visible);
}

/** One value inside a line: newlines and tabs are made visible too. */
export function escapeValue(text: string): string {
  return text.replace(UNSAFE_IN_VALUE, visible);
}
