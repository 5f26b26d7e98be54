import { randomBytes } from 'node:crypto';
import type { Env } from '../../src/config';

/** A complete environment for the handlers against a test table; override any variable. */
export function makeTestEnv(table: { endpoint: string; tableName: string }, overrides: Env = {}): Env {
  return {
    COMMERCE_TABLE: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    QUOTE_SIGNING_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    QUOTE_SIGNING_KEY_ID: 't1',
    ALLOWED_ORIGINS: 'https://thebabesclub.com,https://www.thebabesclub.com',
    QUOTE_TTL_SECONDS: '600',
    ...overrides,
  };
}
