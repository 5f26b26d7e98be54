import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, ScheduledEvent } from 'aws-lambda';
import type { RetrySummary } from '../app/notify-order';
import { lazyHandler } from '../http/route';
import { buildNotificationRetry, buildWebhookHandler } from '../wiring/payments';

const webhook = lazyHandler(() => buildWebhookHandler(process.env));
let retry: Promise<(timeLeftMs?: () => number) => Promise<RetrySummary>> | undefined;

/** EventBridge's scheduled events (the notification retry's five-minute rule); never an API request. */
function isScheduledEvent(event: APIGatewayProxyEvent | ScheduledEvent): event is ScheduledEvent {
  return 'source' in event && event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
}

/**
 * Lambda: `POST /stripe/webhook`, and on its schedule the retry of order notifications still owed
 * (same table, notifier and permissions).
 */
export async function handler(
  event: APIGatewayProxyEvent | ScheduledEvent,
  context: Context,
): Promise<APIGatewayProxyResult | RetrySummary> {
  if (!isScheduledEvent(event)) return webhook(event, context);
  retry ??= buildNotificationRetry(process.env).catch((err: unknown) => {
    retry = undefined;
    throw err;
  });
  // Stops claiming while there is time to finish what it claimed (the function's 10 s).
  return (await retry)(() => context.getRemainingTimeInMillis());
}
