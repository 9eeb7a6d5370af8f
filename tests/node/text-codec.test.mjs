// The UTF-8 polyfills in js/ agree with Node's native TextEncoder/TextDecoder (WHATWG) on
// valid text, lone surrogates, and every class of invalid byte sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Utf8Decoder, Utf8Encoder } from '../../js/text-codec.js';

const nativeDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const nativeEncoder = new TextEncoder();
const decoder = new Utf8Decoder('utf-8', { ignoreBOM: true });
const encoder = new Utf8Encoder();

// A small deterministic PRNG, so a failure can be reproduced.
let seed = 0x2545f491;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

test('decoding matches native on edge cases and 20,000 random byte strings', () => {
  const cases = [
    [], [0x41], [0xef, 0xbb, 0xbf, 0x41], [0xc0, 0x80], [0xc2], [0xe0, 0x80, 0x80], [0xe0, 0xa0], [0xed, 0xa0, 0x80],
    [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x9f, 0x98], [0xff, 0xfe],
    [0x80, 0xbf], [0xe2, 0x82], [0xe2, 0x82, 0xac, 0xe2],
  ];
  for (let n = 0; n < 20000; n += 1) {
    const length = Math.floor(random() * 12);
    // Bias toward the interesting high bytes.
    cases.push(Array.from({ length }, () => (random() < 0.5 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 256))));
  }
  for (const bytes of cases) {
    const input = new Uint8Array(bytes);
    assert.equal(decoder.decode(input), nativeDecoder.decode(input), `bytes ${bytes.map((b) => b.toString(16)).join(' ')}`);
  }
  assert.equal(decoder.decode(), '');
  assert.equal(decoder.decode(new Uint8Array([0x61, 0x62]).buffer), 'ab');
  assert.equal(new Utf8Decoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), 'A', 'the BOM is dropped unless ignoreBOM');
  assert.throws(() => new Utf8Decoder('latin1'), RangeError);
});

test('encoding matches native, lone surrogates included, and encodeInto respects the room', () => {
  const units = [0x41, 0xe9, 0x20ac, 0xd83d, 0xde00, 0xd800, 0xdfff, 0x7f, 0x800, 0xffff];
  const strings = ['', 'plain', '小明 😀', '\ud800', 'a\udc00b', '\ud83d\ude00\ud83d'];
  for (let n = 0; n < 20000; n += 1) {
    strings.push(String.fromCharCode(...Array.from({ length: Math.floor(random() * 10) }, () => units[Math.floor(random() * units.length)])));
  }
  for (const s of strings) {
    assert.deepEqual(encoder.encode(s), nativeEncoder.encode(s), JSON.stringify(s));
    for (const room of [0, 1, 2, 3, 4, 7, 64]) {
      const ours = new Uint8Array(room);
      const theirs = new Uint8Array(room);
      assert.deepEqual(encoder.encodeInto(s, ours), nativeEncoder.encodeInto(s, theirs), `${JSON.stringify(s)} into ${room}`);
      assert.deepEqual(ours, theirs);
    }
  }
});

test('fatal mode, labels, input types and streaming follow the WHATWG API', () => {
  assert.throws(() => new Utf8Decoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])), TypeError);
  assert.throws(() => new Utf8Decoder('utf-8', { fatal: true }).decode(new Uint8Array([0xe2, 0x82])), TypeError);
  assert.equal(new Utf8Decoder('utf-8', { fatal: true }).decode(new Uint8Array([0xe2, 0x82, 0xac])), '€');
  for (const label of ['UTF-8', ' utf8 ', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8', 'unicode-1-1-utf-8']) {
    assert.equal(new Utf8Decoder(label).encoding, 'utf-8', label);
    assert.equal(new TextDecoder(label).encoding, 'utf-8', `native agrees on ${label}`);
  }
  assert.throws(() => new Utf8Decoder('\u00a0utf-8'), RangeError, 'only ASCII whitespace is trimmed');
  assert.throws(() => new Utf8Decoder().decode(5), TypeError);
  assert.throws(() => new Utf8Decoder().decode(new Uint8Array([0xe2]), { stream: true }), TypeError);
});
