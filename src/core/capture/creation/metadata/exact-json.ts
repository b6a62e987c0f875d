// JSON numbers are IEEE doubles once parsed: a 64-bit seed such as 6952411511246973023 (ComfyUI
// and Fooocus draw them up to 2^64) comes out as 6952411511246973000. Integer literals that a
// double cannot hold exactly are turned into strings holding the same digits before JSON.parse,
// so a seed is never recorded with digits it did not have. Everything else parses as usual.

const LONG_INTEGER = /\d{16}/;
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** JSON.parse, except that integers beyond Number.MAX_SAFE_INTEGER arrive as their exact digits (a string). */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(LONG_INTEGER.test(text) ? quoteUnsafeIntegers(text) : text);
}

/** Rewrites, outside strings, each integer literal that is not a safe integer into a quoted one. */
export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, honouring backslash escapes (RFC 8259 §7).
      i += 1;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i += 1;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const literal = m ? m[0] : text[i]!;
      if (m && m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, i)}"${literal}"`;
        last = i + literal.length;
      }
      i += literal.length;
    } else i += 1;
  }
  return last === 0 ? text : out + text.slice(last);
}
