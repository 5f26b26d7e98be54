import { randomBytes } from 'node:crypto';
import type { Env } from '../../src/config';

/** A complete environment for the handlers against a test table; override any variable. */
export function makeTestEnv(table: { endpoint: string; tableName: string }, overrides: Env = {}): Env {
  return {
    COMMERCE_TABLE: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    QUOTE_SIGNING_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    QUOTE_SIGNING_KEY_ID: 't1',
    ALLOWED_ORIGINS: 'https://shop.example.com,https://www.shop.example.com',
    QUOTE_TTL_SECONDS: '600',
    ...overrides,
  };
}

/** Rate limits no test or benchmark reaches from one address. */
export const UNLIMITED_RATE_LIMITS: Env = {
  RATE_LIMIT_QUOTE_PER_HOUR: '1000000',
  RATE_LIMIT_QUOTE_PER_DAY: '10000000',
  RATE_LIMIT_CHECKOUT_PER_HOUR: '1000000',
  RATE_LIMIT_CHECKOUT_PER_DAY: '10000000',
  RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_HOUR: '1000000',
  RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_DAY: '10000000',
  RATE_LIMIT_STATUS_PER_HOUR: '1000000',
  RATE_LIMIT_STATUS_PER_DAY: '10000000',
  RATE_LIMIT_CODE_MISSES_PER_HOUR: '1000000',
  RATE_LIMIT_CODE_MISSES_PER_DAY: '10000000',
};
