import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { elapsedLine, logLine, pythonAsctime } from '../../src/core/client/logLine';
import { pythonBytesRepr } from '../../src/core/client/pythonBytes';

const b = (text: string) => Buffer.from(text, 'latin1');

test("bytes are written as Python's repr writes them (expected values from CPython 3.11)", () => {
  assert.equal(pythonBytesRepr(b('^abc$de^abte$f')), "b'^abc$de^abte$f'");
  assert.equal(pythonBytesRepr(b("it's")), `b"it's"`);
  assert.equal(pythonBytesRepr(b('say "hi"')), `b'say "hi"'`);
  assert.equal(pythonBytesRepr(b(`both ' and "`)), `b'both \\' and "'`);
  assert.equal(pythonBytesRepr(b('\\')), "b'\\\\'");
  assert.equal(pythonBytesRepr(Buffer.from([0x09, 0x0a, 0x0d, 0x00, 0x7f, 0xff, 0x1b])), "b'\\t\\n\\r\\x00\\x7f\\xff\\x1b'");
  const printable = Buffer.from(Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i));
  assert.equal(pythonBytesRepr(printable), "b' !\"#$%&\\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'");
  assert.equal(pythonBytesRepr(Buffer.alloc(0)), "b''");
});

test('every byte value round-trips through the repr (read back as a Python literal would be)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const repr = pythonBytesRepr(bytes);
      assert.match(repr, /^b(['"]).*\1$/s);
      const body = repr.slice(2, -1);
      const back: number[] = [];
      for (let i = 0; i < body.length; i++) {
        if (body[i] !== '\\') {
          back.push(body.charCodeAt(i));
          continue;
        }
        const e = body[++i];
        if (e === 'x') {
          back.push(parseInt(body.slice(i + 1, i + 3), 16));
          i += 2;
        } else back.push({ t: 9, n: 10, r: 13 }[e as 't' | 'n' | 'r'] ?? e.charCodeAt(0));
      }
      assert.deepEqual(back, [...bytes]);
    }),
  );
});

test("log lines read like Python logging's %(levelname)s:%(asctime)s:%(message)s", () => {
  const at = new Date(2025, 2, 26, 17, 34, 15, 783);
  assert.equal(pythonAsctime(at), '2025-03-26 17:34:15,783');
  assert.equal(logLine('INFO', at, 'conn0 connected...'), 'INFO:2025-03-26 17:34:15,783:conn0 connected...');
  assert.equal(pythonAsctime(new Date(2025, 0, 2, 3, 4, 5, 6)), '2025-01-02 03:04:05,006');
});

test("Elapsed is printed like Python's float repr", () => {
  assert.equal(elapsedLine(2.2252049446105957), 'Elapsed: 2.2252049446105957');
  assert.equal(elapsedLine(11.109666109085083), 'Elapsed: 11.109666109085083');
  assert.equal(elapsedLine(3), 'Elapsed: 3.0');
});
