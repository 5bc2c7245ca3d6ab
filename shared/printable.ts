// Text from a datastore or a server (notes, names, comments, error bodies) made safe to print on a
// terminal: control characters become visible escapes, so such text can neither move the cursor,
// clear the screen, set the window title, nor start a new line that looks like one of ours.
// Escaped: C0 controls (newlines included), DEL, C1 controls, the Unicode line and paragraph
// separators and the bidirectional overrides (which reorder what is shown). Pure code.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` on one line, with every control character written as an escape (\n, \x1b, \u202e). */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** What JSON.stringify leaves raw inside strings (it escapes C0 itself; raw C0 outside strings is layout). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify, with the characters it leaves raw (DEL, C1, separators, bidi) escaped as \uXXXX too. */
export function printableJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
