// Text a client sends that is stored, hashed or shown to other people: well-formed
// Unicode only. A lone UTF-16 surrogate has no UTF-8 form: PostgreSQL's jsonb refuses
// it, the driver stores U+FFFD in its place in a text column, argon2 hashes U+FFFD
// instead. Refused where it arrives, with the other characters nobody means to send.

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * C0 and C1 control characters, NUL among them (a tab or a newline too: chat is one line), and
 * the line and paragraph separators U+2028 and U+2029, which break a line as a newline does
 * (a chat line could pass for a second line under another name).
 */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
/** Bidirectional embeddings, overrides and isolates: they make a name read as another text. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** Whether the text is valid Unicode (no lone surrogate). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Whether the text holds a control character (NUL, newline, escape, ...). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** Whether the text holds a bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069). */
export function hasBidiControl(text: string): boolean {
  return BIDI_CONTROL.test(text);
}

/**
 * Invisible characters, which make two names that read alike differ or a line that shows as
 * nothing: the format characters (Unicode category Cf: zero-width space, right-to-left mark,
 * the bidirectional controls, soft hyphen, ...), every Default_Ignorable_Code_Point (the Hangul
 * fillers U+115F, U+1160, U+3164, U+FFA0, the combining grapheme joiner U+034F, the Khmer
 * inherent vowels, the Mongolian variation selectors, the variation selectors supplement, and
 * the code points reserved as ignorable such as U+2065 and U+E0080), the braille blank U+2800,
 * an emoji variation selector (U+FE0E, U+FE0F) that follows no pictograph and starts no keycap,
 * and a stack of more than four combining marks ("zalgo" text that runs over the lines around
 * it). The zero-width joiner (U+200D) and the variation selectors of emoji are allowed.
 */
const INVISIBLE_FORMAT = /(?![\u200D\uFE0E\uFE0F])[\p{Cf}\p{Default_Ignorable_Code_Point}]|\u2800|(?<!\p{Extended_Pictographic})[\uFE0E\uFE0F](?!\u20E3)|\p{M}{5,}/u;

/** Whether the text holds an invisible format character (see INVISIBLE_FORMAT). */
export function hasInvisibleFormat(text: string): boolean {
  return INVISIBLE_FORMAT.test(text);
}

/** The length a person counts: Unicode code points, not UTF-16 units (an emoji is one). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
