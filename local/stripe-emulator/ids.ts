import { randomBytes } from 'node:crypto';

/** A source of random bytes; inject a seeded one to get the same ids on every run. */
export type RandomSource = (size: number) => Uint8Array;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const UPPER = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Object kinds the emulator names, with Stripe's prefixes and (roughly) Stripe's lengths. */
const FORMATS = {
  checkoutSession: { prefix: 'cs_test_a1', length: 56, alphabet: BASE62 },
  event: { prefix: 'evt_1', length: 24, alphabet: BASE62 },
  paymentIntent: { prefix: 'pi_3', length: 24, alphabet: BASE62 },
  charge: { prefix: 'ch_3', length: 24, alphabet: BASE62 },
  refund: { prefix: 're_3', length: 24, alphabet: BASE62 },
  dispute: { prefix: 'du_1', length: 24, alphabet: BASE62 },
  price: { prefix: 'price_1', length: 24, alphabet: BASE62 },
  product: { prefix: 'prod_', length: 14, alphabet: BASE62 },
  shippingRate: { prefix: 'shr_1', length: 24, alphabet: BASE62 },
  lineItem: { prefix: 'li_1', length: 24, alphabet: BASE62 },
  request: { prefix: 'req_', length: 14, alphabet: BASE62 },
  coupon: { prefix: '', length: 8, alphabet: UPPER },
  webhookEndpoint: { prefix: 'we_1', length: 24, alphabet: BASE62 },
  webhookSecret: { prefix: 'whsec_', length: 32, alphabet: BASE62 },
} as const;

export type IdKind = keyof typeof FORMATS;

/** Makes Stripe-looking ids (`cs_test_a1…`, `evt_1…`, `pi_3…`) from a random source. */
export function createIdGenerator(random: RandomSource = randomBytes): (kind: IdKind) => string {
  return (kind) => {
    const { prefix, length, alphabet } = FORMATS[kind];
    const bytes = random(length);
    let id = prefix;
    for (let i = 0; i < length; i++) id += alphabet[(bytes[i] ?? 0) % alphabet.length];
    return id;
  };
}

/** A {@link RandomSource} that counts the bytes it gave, so a restarted emulator can continue it. */
export interface CountingRandom {
  readonly random: RandomSource;
  /** Bytes drawn so far. */
  readonly drawn: number;
  /** Draws and drops bytes until `total` have been drawn (nothing when that many already were). */
  advanceTo(total: number): void;
}

/**
 * Wraps `source` to count what it gives. A seeded source restarted from a saved count then names
 * objects exactly as the first run would have gone on to (never an id it already used); for the
 * default crypto source the count is only kept.
 */
export function createCountingRandom(source?: RandomSource): CountingRandom {
  let drawn = 0;
  const random: RandomSource = (size) => {
    drawn += size;
    return (source ?? randomBytes)(size);
  };
  return {
    random,
    get drawn() {
      return drawn;
    },
    advanceTo(total) {
      // Crypto bytes never repeat: skipping them would only waste entropy.
      if (source === undefined) drawn = Math.max(drawn, total);
      // In chunks, so a long history never asks for one huge buffer.
      while (drawn < total) random(Math.min(total - drawn, 64 * 1024));
    },
  };
}

/**
 * A deterministic {@link RandomSource} (xorshift32 from `seed`): two emulators built with the same
 * seed name their objects identically, which keeps snapshots and logs of tests stable.
 */
export function createSeededRandom(seed = 1): RandomSource {
  let state = seed >>> 0 || 1;
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
