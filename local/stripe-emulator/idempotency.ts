import { createHash } from 'node:crypto';
import { StripeApiError } from './errors';

const MAX_KEY_LENGTH = 255;
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** An answer kept for replay. */
export interface StoredResponse {
  statusCode: number;
  body: string;
  requestId: string;
}

/** A stored answer and what it answered. */
export interface IdempotencyRecord {
  method: string;
  path: string;
  fingerprint: string;
  response: StoredResponse;
  storedAt: number;
}

/**
 * Stripe's idempotency layer: the first answer to a key is stored and replayed for the same
 * parameters; other parameters, or another endpoint, are an `idempotency_error`. Keys belong to
 * the API key that used them and are forgotten after 24 hours.
 */
export class IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();

  constructor(private readonly now: () => number) {}

  /** The stored answer for a retry, `null` for a new key; throws when the key is misused. */
  lookup(
    apiKey: string,
    key: string,
    method: string,
    path: string,
    fingerprint: string,
  ): StoredResponse | null {
    if (key.length > MAX_KEY_LENGTH) {
      throw new StripeApiError(
        `Idempotency keys can be at most ${MAX_KEY_LENGTH} characters long; this one has ${key.length}.`,
        { storeIdempotent: false },
      );
    }
    this.prune();
    const record = this.records.get(scopeOf(apiKey, key));
    if (!record) return null;
    if (record.method !== method || record.path !== path) {
      throw new StripeApiError(
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${record.method} ${record.path}' vs '${method} ${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        { type: 'idempotency_error', storeIdempotent: false },
      );
    }
    if (record.fingerprint !== fingerprint) {
      throw new StripeApiError(
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        { type: 'idempotency_error', storeIdempotent: false },
      );
    }
    return record.response;
  }

  save(apiKey: string, key: string, entry: Omit<IdempotencyRecord, 'storedAt'>): void {
    this.records.set(scopeOf(apiKey, key), { ...entry, storedAt: this.now() });
  }

  clear(): void {
    this.records.clear();
  }

  /** Every live record with its scope (API key digest and key), for saving the state. */
  entries(): { scope: string; record: IdempotencyRecord }[] {
    this.prune();
    return [...this.records].map(([scope, record]) => ({ scope, record }));
  }

  /** Replaces the records with saved ones. */
  restore(entries: readonly { scope: string; record: IdempotencyRecord }[]): void {
    this.records.clear();
    for (const { scope, record } of entries) this.records.set(scope, record);
  }

  private prune(): void {
    const oldest = this.now() - KEY_LIFETIME_MS;
    for (const [key, record] of this.records) {
      if (record.storedAt < oldest) this.records.delete(key);
    }
  }
}

/**
 * Keys belong to the API key that used them. The API key is kept as a digest, so a saved state
 * file never holds a secret key.
 */
function scopeOf(apiKey: string, key: string): string {
  return `${createHash('sha256').update(apiKey).digest('hex')}:${key}`;
}
