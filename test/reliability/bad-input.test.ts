import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import type { ApiHandler } from '../../src/http/route';
import { SHOP } from '../support/commerce-harness';
import { scanTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator, TEST_WEBHOOK_SECRET } from '../support/stripe';
import {
  type BadRequest,
  catalogCorpus,
  jsonRouteCorpus,
  sessionStatusCorpus,
  webhookCorpus,
} from './bad-input-corpus';
import { type LiveApi, makeLiveApi } from './harness';
import { registerClientIps } from './log-audit';

/** The error codes of the contract (docs/api.md, "Errors"). */
const CONTRACT_CODES = new Set([
  'invalid_json',
  'validation_error',
  'invalid_signature',
  'origin_not_allowed',
  'not_found',
  'method_not_allowed',
  'quote_outdated',
  'quote_already_paid',
  'event_in_progress',
  'payload_too_large',
  'unsupported_media_type',
  'unknown_sku',
  'inactive_sku',
  'quantity_out_of_range',
  'quote_mismatch',
  'honeypot',
  'rate_limited',
]);
const CLIENT_IP = '198.51.100.201';

let table: TestTable;
let stripe: StripeEmulator;
let api: LiveApi;
beforeAll(async () => {
  table = await startTestTable('bad-input-test');
  stripe = await startTestEmulator();
  api = await makeLiveApi({ table, stripe });
  registerClientIps(CLIENT_IP);
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});

function toEvent(path: string, request: BadRequest, defaultMethod: string): APIGatewayProxyEvent {
  const headers = request.headers ?? {};
  return {
    ...makeProxyEvent({
      method: request.method ?? defaultMethod,
      path,
      rawBody: request.body ?? null,
      ...(request.query ? { query: request.query } : {}),
      isBase64Encoded: request.base64 ?? false,
      sourceIp: CLIENT_IP,
    }),
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
  };
}

/** Sends every request; returns what broke the contract (a non-4xx, a body without a contract code). */
async function sendAll(handler: ApiHandler, path: string, method: string, corpus: readonly BadRequest[]) {
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  for (const request of corpus) {
    const result = await handler(toEvent(path, request, method));
    statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
    let code: unknown;
    let requestId: unknown;
    try {
      const body = JSON.parse(result.body) as { error?: { code?: unknown }; requestId?: unknown };
      code = body.error?.code;
      requestId = body.requestId;
    } catch {
      code = undefined;
    }
    if (result.statusCode < 400 || result.statusCode >= 500)
      problems.push(`${request.name}: ${result.statusCode}`);
    else if (!CONTRACT_CODES.has(String(code))) problems.push(`${request.name}: code ${String(code)}`);
    else if (typeof requestId !== 'string') problems.push(`${request.name}: no requestId`);
  }
  return { problems, statuses };
}

describe('bad input', () => {
  let signature: string;
  beforeAll(async () => {
    const quoted = await api.quote(
      makeProxyEvent({
        body: { items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }] },
        headers: { Origin: SHOP },
      }),
    );
    signature = String((JSON.parse(quoted.body) as { quoteSignature: string }).quoteSignature);
  });

  const routes: [
    string,
    () => { handler: ApiHandler; path: string; method: string; corpus: BadRequest[] },
  ][] = [
    [
      'POST /cart/quote',
      () => ({
        handler: api.quote,
        path: '/cart/quote',
        method: 'POST',
        corpus: jsonRouteCorpus(SHOP, (v) => v),
      }),
    ],
    [
      'POST /checkout/create-session',
      () => ({
        handler: api.checkout,
        path: '/checkout/create-session',
        method: 'POST',
        corpus: [
          ...jsonRouteCorpus(SHOP, (v) =>
            v && typeof v === 'object' && !Array.isArray(v) ? { ...v, quoteSignature: signature } : v,
          ),
          ...checkoutFields(signature),
        ],
      }),
    ],
    [
      'GET /checkout/session-status',
      () => ({
        handler: api.status,
        path: '/checkout/session-status',
        method: 'GET',
        corpus: sessionStatusCorpus(SHOP),
      }),
    ],
    [
      'POST /stripe/webhook',
      () => ({
        handler: api.webhook,
        path: '/stripe/webhook',
        method: 'POST',
        corpus: webhookCorpus(TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
      }),
    ],
    [
      'GET /catalog',
      () => ({ handler: api.catalog, path: '/catalog', method: 'GET', corpus: catalogCorpus(SHOP) }),
    ],
  ];

  it.each(routes)(
    '%s answers each of its malformed requests with a 4xx and a contract code, and writes nothing',
    async (_route, make) => {
      const { handler, path, method, corpus } = make();
      expect(corpus.length).toBeGreaterThanOrEqual(100);
      const before = await scanTable(table);
      const emulatorRequests = stripe.state().requests.length;

      const { problems } = await sendAll(handler, path, method, corpus);

      expect(problems).toEqual([]);
      expect(await scanTable(table)).toEqual(before);
      expect(stripe.state().requests.length).toBe(emulatorRequests);
    },
  );
});

/** Bad values of the checkout's own fields, on an otherwise valid request. */
function checkoutFields(signature: string): BadRequest[] {
  const headers = { 'Content-Type': 'application/json', Origin: SHOP };
  const items = [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }];
  const [version, keyId, claims] = signature.split('.');
  const forged = [
    undefined,
    '',
    1,
    null,
    [],
    {},
    true,
    'x'.repeat(401),
    'qs1.bad',
    `${signature}x`,
    signature.slice(0, -1),
    `${version}.${keyId}.${claims}.${'A'.repeat(43)}`,
    `${version}.other.${claims}.${signature.split('.')[3]}`,
    signature.replace('qs2', 'qs3'),
    signature.replace('qs2', 'qs1'),
    signature.toUpperCase(),
    ` ${signature}`,
    `${signature}\u0000`,
  ];
  const emails = [
    'not-an-email',
    'a@b',
    `${'x'.repeat(300)}@example.com`,
    ['a@b.co'],
    'a b@c.de',
    42,
    'x@@y.z',
    '@example.com',
    'abc@',
    'a@b.c\u0000',
  ];
  return [
    ...forged.map((quoteSignature, i) => ({
      name: `quoteSignature ${i}`,
      body: JSON.stringify({ items, ...(quoteSignature === undefined ? {} : { quoteSignature }) }),
      headers,
    })),
    ...emails.map((email, i) => ({
      name: `email ${i}`,
      body: JSON.stringify({ items, quoteSignature: signature, email }),
      headers,
    })),
    {
      name: 'signature of another cart',
      body: JSON.stringify({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }], quoteSignature: signature }),
      headers,
    },
  ];
}
