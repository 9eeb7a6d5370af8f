// UTF-8 TextEncoder / TextDecoder for runtimes that lack them (some mini program logic
// layers); runtime-shims.js uses them only where the native ones are missing. WHATWG
// semantics: lone surrogates encode as U+FFFD; each maximal invalid byte sequence decodes
// as one U+FFFD (or throws with `fatal`). Streaming decode is not supported: it throws.

const LABELS = ['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'];
const asciiTrim = (s) => s.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');

const REPLACEMENT = 0xfffd;

function encodePoint(cp, out) {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** The code point at `i` of `str` and how many UTF-16 units it takes (lone surrogates: U+FFFD). */
function pointAt(str, i) {
  const c = str.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
    const d = str.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), 2];
  }
  return [c >= 0xd800 && c <= 0xdfff ? REPLACEMENT : c, 1];
}

export class Utf8Encoder {
  get encoding() {
    return 'utf-8';
  }
  encode(input = '') {
    const str = String(input);
    const out = [];
    for (let i = 0; i < str.length; ) {
      const [cp, units] = pointAt(str, i);
      encodePoint(cp, out);
      i += units;
    }
    return new Uint8Array(out);
  }
  encodeInto(input, dest) {
    const str = String(input);
    let read = 0;
    let written = 0;
    const bytes = [];
    while (read < str.length) {
      const [cp, units] = pointAt(str, read);
      bytes.length = 0;
      encodePoint(cp, bytes);
      if (written + bytes.length > dest.length) break;
      for (const b of bytes) dest[written++] = b;
      read += units;
    }
    return { read, written };
  }
}

export class Utf8Decoder {
  constructor(label = 'utf-8', options = {}) {
    const name = asciiTrim(String(label)).toLowerCase();
    if (!LABELS.includes(name)) {
      throw new RangeError(`The encoding label provided ('${label}') is not supported by this polyfill.`);
    }
    this.ignoreBOM = Boolean(options && options.ignoreBOM);
    this.fatal = Boolean(options && options.fatal);
  }
  get encoding() {
    return 'utf-8';
  }
  decode(input, options) {
    if (options && options.stream) throw new TypeError('This TextDecoder polyfill does not support streaming.');
    if (input === undefined || input === null) return '';
    let bytes;
    if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    else if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object ArrayBuffer]') bytes = new Uint8Array(input);
    else throw new TypeError('TextDecoder.decode expects an ArrayBuffer or an ArrayBufferView.');
    const n = bytes.length;
    let units = [];
    let out = '';
    const push = (cp) => {
      if (cp > 0xffff) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else {
        units.push(cp);
      }
      if (units.length >= 8192) {
        out += String.fromCharCode.apply(null, units);
        units = [];
      }
    };
    let i = !this.ignoreBOM && n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (i < n) {
      const b = bytes[i];
      if (b < 0x80) {
        push(b);
        i += 1;
        continue;
      }
      let need;
      let cp;
      let lower = 0x80;
      let upper = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        cp = b & 0x0f;
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        cp = b & 0x07;
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
      } else {
        if (this.fatal) throw new TypeError('The encoded data was not valid UTF-8.');
        push(REPLACEMENT);
        i += 1;
        continue;
      }
      let j = i + 1;
      let complete = true;
      for (let k = 0; k < need; k += 1, j += 1) {
        const c = bytes[j];
        if (j >= n || c < lower || c > upper) {
          complete = false;
          break;
        }
        lower = 0x80;
        upper = 0xbf;
        cp = (cp << 6) | (c & 0x3f);
      }
      // An invalid or truncated sequence is one U+FFFD; the offending byte is read again.
      if (!complete && this.fatal) throw new TypeError('The encoded data was not valid UTF-8.');
      push(complete ? cp : REPLACEMENT);
      i = j;
    }
    return out + String.fromCharCode.apply(null, units);
  }
}

