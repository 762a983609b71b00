// HMAC-SHA256 block stream for the shuffle, specialised for speed: block i is
// HMAC-SHA256(key, prefix + decimal(i)). It computes exactly what
// `hmac(sha256, key, utf8(prefix + i))` from @noble/hashes computes (the unit test checks
// this on thousands of inputs), but keeps the keyed inner and outer SHA-256 states as eight
// words each, builds the message words directly and allocates nothing per block. Through
// the generic HMAC object a deck took ~25 us; the fairness test shuffles a million decks.
//
// SHA-256 per FIPS 180-4; constants as in @noble/hashes/sha2.js.

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const BLOCK_BYTES = 64;
const DIGEST_WORDS = 8;
/** Keys longer than a block would have to be hashed first; the seed is 32 bytes. */
export const HMAC_KEY_BYTES_MAX = BLOCK_BYTES;

const schedule = new Int32Array(64);

/** One SHA-256 compression of the 16 words at `words[from..from+16]` into `state`. */
function compress(state: Int32Array, words: Int32Array, from: number): void {
  const w = schedule;
  for (let i = 0; i < 16; i++) w[i] = words[from + i]!;
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!;
    const w2 = w[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (s1 + w[i - 7]! + s0 + w[i - 16]!) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sigma1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** SHA-256 state after one block of key XOR pad. */
function keyedState(key: Uint8Array, pad: number): Int32Array {
  const words = new Int32Array(16);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const byte = (key[i] ?? 0) ^ pad;
    words[i >> 2] = words[i >> 2]! | (byte << (24 - 8 * (i & 3)));
  }
  const state = IV.slice();
  compress(state, words, 0);
  return state;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * Writes HMAC-SHA256(key, prefix + decimal(counter)) for counter = 0, 1, 2, ... into
 * `out` (8 big-endian words, as signed int32) on each call of the returned function.
 */
export function createHmacBlocks(key: Uint8Array, prefix: string, out: Int32Array): () => void {
  if (key.length > HMAC_KEY_BYTES_MAX) throw new RangeError('HMAC key longer than a block');
  const inner = keyedState(key, 0x36);
  const outer = keyedState(key, 0x5c);
  const prefixBytes = utf8(prefix);
  const messageBytesMax = prefixBytes.length + 16; // counter digits
  const innerWords = new Int32Array(Math.ceil((messageBytesMax + 9) / BLOCK_BYTES) * 16);
  const outerWords = new Int32Array(16);
  const state = new Int32Array(DIGEST_WORDS);
  const bytes = new Uint8Array(innerWords.length * 4);
  bytes.set(prefixBytes);
  let counter = 0;
  return () => {
    const digits = String(counter++);
    let length = prefixBytes.length;
    for (let i = 0; i < digits.length; i++) bytes[length++] = digits.charCodeAt(i);
    // SHA-256 padding: 0x80, zeros, then the bit length of key block + message.
    const blocks = Math.ceil((length + 9) / BLOCK_BYTES);
    bytes.fill(0, length, blocks * BLOCK_BYTES);
    bytes[length] = 0x80;
    const bits = (BLOCK_BYTES + length) * 8;
    for (let i = 0; i < blocks * 16; i++) {
      const o = i * 4;
      innerWords[i] = (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;
    }
    innerWords[blocks * 16 - 1] = bits;
    state.set(inner);
    for (let block = 0; block < blocks; block++) compress(state, innerWords, block * 16);
    outerWords.set(state);
    outerWords[8] = 0x80000000 | 0;
    outerWords.fill(0, 9, 15);
    outerWords[15] = (BLOCK_BYTES + 32) * 8;
    out.set(outer);
    compress(out, outerWords, 0);
  };
}

/** Big-endian bytes of eight state words. */
export function wordsToBytes(words: Int32Array): Uint8Array {
  const out = new Uint8Array(DIGEST_WORDS * 4);
  for (let i = 0; i < DIGEST_WORDS; i++) {
    const w = words[i]!;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = (w >>> 16) & 0xff;
    out[i * 4 + 2] = (w >>> 8) & 0xff;
    out[i * 4 + 3] = w & 0xff;
  }
  return out;
}

/** Longest message sha256Short takes: two blocks less the padding. */
export const SHA256_SHORT_BYTES_MAX = 2 * BLOCK_BYTES - 9;
const shortBytes = new Uint8Array(2 * BLOCK_BYTES);
const shortWords = new Int32Array(32);
const shortState = new Int32Array(DIGEST_WORDS);

/**
 * SHA-256 of a message of at most two blocks (the deck's Merkle leaves and nodes):
 * the same digest as `sha256` of @noble/hashes (the unit test checks it), without its
 * per-call objects. A deal hashes 103 of these.
 */
export function sha256Short(message: Uint8Array): Uint8Array {
  const length = message.length;
  if (length > SHA256_SHORT_BYTES_MAX) throw new RangeError('message too long for sha256Short');
  const blocks = length + 9 > BLOCK_BYTES ? 2 : 1;
  shortBytes.fill(0);
  shortBytes.set(message);
  shortBytes[length] = 0x80;
  for (let i = 0; i < blocks * 16; i++) {
    const o = i * 4;
    shortWords[i] = (shortBytes[o]! << 24) | (shortBytes[o + 1]! << 16) | (shortBytes[o + 2]! << 8) | shortBytes[o + 3]!;
  }
  shortWords[blocks * 16 - 1] = length * 8;
  shortState.set(IV);
  for (let block = 0; block < blocks; block++) compress(shortState, shortWords, block * 16);
  return wordsToBytes(shortState);
}
