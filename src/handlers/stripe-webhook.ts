import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, ScheduledEvent } from 'aws-lambda';
import type { RetrySummary } from '../app/notify-order';
import type { SweepSummary } from '../app/stock-holds';
import { once } from '../http/route';
import { buildWebhookFunction } from '../wiring/payments';

/** Built once per cold start, for both jobs (one read of the secrets, one table client). */
const ready = once(() => buildWebhookFunction(process.env));

/** EventBridge's scheduled events (the notification retry's five-minute rule); never an API request. */
function isScheduledEvent(event: APIGatewayProxyEvent | ScheduledEvent): event is ScheduledEvent {
  return 'source' in event && event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
}

/**
 * Lambda: `POST /stripe/webhook`, and on its schedule the sweep of stock holds no checkout ended and
 * the retry of order notifications still owed (same table, notifier and permissions).
 */
export async function handler(
  event: APIGatewayProxyEvent | ScheduledEvent,
  context: Context,
): Promise<APIGatewayProxyResult | { holds: SweepSummary; notifications: RetrySummary }> {
  const fn = await ready();
  if (!isScheduledEvent(event)) return fn.webhook(event, context);
  // Each stops starting work while there is time to finish what it started (the function's 10 s).
  const timeLeft = () => context.getRemainingTimeInMillis();
  const holds = await fn.sweepHolds(timeLeft);
  return { holds, notifications: await fn.retryNotifications(timeLeft) };
}
