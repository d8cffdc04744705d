/**
 * Python's repr() of a bytes object, because the notes' client logs `sending b'^abc$de^abte$f'`
 * and `received b'...'` with exactly that spelling, and our log must read the same.
 *
 * Python's rules (Objects/bytesobject.c): single quotes, unless the bytes contain a single quote
 * and no double quote, then double quotes; backslash and the chosen quote are escaped; tab,
 * newline and carriage return get their letter escapes; other bytes below 0x20 and from 0x7f up
 * are written as \xhh (lower-case hex); everything else is the ASCII character itself.
 */
export function pythonBytesRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = "b" + String.fromCharCode(quote);
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(quote);
}
