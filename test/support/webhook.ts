import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import Stripe from 'stripe';
import { expect } from 'vitest';
import type { SessionObject, StripeEmulator } from '../../local/stripe-emulator';
import { makeProxyEvent } from './events';
import { TEST_WEBHOOK_SECRET } from './stripe';

let sequence = 0;

/** A Stripe event envelope around a Checkout Session, as Stripe sends it. */
export function makeSessionEvent(
  type: string,
  session: SessionObject | Record<string, unknown>,
  created: number,
) {
  sequence += 1;
  return {
    id: `evt_test_${created}_${sequence}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object: session },
  };
}

/** The API Gateway event of a webhook delivery, signed with the SDK's test header. */
export function signedDelivery(
  payload: string,
  options: { timestamp: number; secret?: string; headerName?: string; base64?: boolean },
) {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? TEST_WEBHOOK_SECRET,
    timestamp: options.timestamp,
  });
  return makeProxyEvent({
    path: '/stripe/webhook',
    rawBody: options.base64 ? Buffer.from(payload).toString('base64') : payload,
    isBase64Encoded: options.base64 ?? false,
    headers: { 'Content-Type': 'application/json', [options.headerName ?? 'Stripe-Signature']: signature },
  });
}

/**
 * Delivers, signed, the latest event of `type` the emulator sent for a session (as Stripe's delivery
 * would), and expects it acknowledged.
 */
export async function deliverLatestEvent(
  stripe: Pick<StripeEmulator, 'events'>,
  webhook: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  sessionId: string,
  type: string,
  timestamp: number,
): Promise<void> {
  const record = stripe
    .events()
    .filter((e) => e.event.type === type && (e.event.data.object as { id: string }).id === sessionId)
    .at(-1);
  if (!record) throw new Error(`no ${type} event for ${sessionId}`);
  const result = await webhook(signedDelivery(JSON.stringify(record.event), { timestamp }));
  expect(result.statusCode).toBe(200);
}
