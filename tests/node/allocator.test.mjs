// The npm wasm brings its own allocator (npm/src/lib.rs: lol_alloc's coalescing free
// list). These flows make it serve thousands of interleaved blocks of every size, from a
// few bytes to the 64 KiB body cap, and check every result byte for byte: a block handed
// out twice or merged wrongly would corrupt a token or a body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsentBridge } from 'mp-consent-bridge';

/** A deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const text = (next, length) => Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
/** Lengths spread over every size class: mostly small, some up to `max`. */
const length = (next, max) => Math.max(1, Math.floor(max ** next()));

/**
 * A Binance-shaped host that answers at once: a data token of random length, and a
 * backend answer through `request` whose body has a random-length field.
 */
let serial = 0;
function host(next) {
  const issued = [];
  return {
    issued,
    getPhoneNumber(options) {
      // Unique (tokens are single use; a repeat would be TOKEN_ALREADY_USED by design).
      const token = `${serial++}-${text(next, length(next, 4080))}`;
      issued.push(token);
      options.success({ code: token });
    },
    request(options) {
      const echo = text(next, length(next, 60_000));
      const sent = JSON.parse(options.data);
      options.success({ statusCode: 200, header: {}, data: JSON.stringify({ ok: true, echo, token: sent.dataToken }) });
      return { abort() {} };
    },
  };
}

test('4,000 interleaved ask-and-forward flows with blocks of every size come back intact', async () => {
  const next = random(20261121);
  const lanes = Array.from({ length: 40 }, () => {
    const h = host(next);
    return { host: h, bridge: new ConsentBridge({ host: h, backend: 'https://api.example.com', transport: 'host' }) };
  });
  let flows = 0;
  await Promise.all(
    lanes.map(async ({ host: h, bridge }) => {
      for (let i = 0; i < 100; i++) {
        const answer = await bridge.getPhoneNumber();
        assert.equal(answer.ok, true);
        assert.equal(answer.token, h.issued.at(-1), 'the forwarded token is the one the host issued');
        assert.ok(answer.echo.length >= 1 && /^[\w-]+$/.test(answer.echo), 'the body came back whole');
        flows++;
      }
    }),
  );
  assert.equal(flows, 4000);
});

test('validation failures and successes interleave without corrupting each other', async () => {
  const next = random(7);
  const bridges = Array.from({ length: 20 }, (_, lane) => {
    const bad = lane % 2 === 1;
    return new ConsentBridge({
      host: {
        getPhoneNumber(options) {
          // Odd lanes answer tokens with a control character: INVALID_RESULT, whose
          // message must never carry the token.
          const token = text(next, length(next, 4096));
          options.success({ code: bad ? `${token}\u0001` : token });
        },
      },
    });
  });
  await Promise.all(
    bridges.map(async (bridge, lane) => {
      for (let i = 0; i < 100; i++) {
        if (lane % 2 === 1) {
          await assert.rejects(bridge.askPhoneNumber(), (e) => e.code === 'INVALID_RESULT' && !e.message.includes('\u0001'));
        } else {
          const consent = await bridge.askPhoneNumber();
          assert.match(consent.token, /^[\w-]+$/);
          assert.equal(consent.expiresAt - consent.obtainedAt, 120_000);
        }
      }
    }),
  );
});
