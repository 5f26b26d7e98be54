import http from 'node:http';
import https from 'node:https';
import Stripe from 'stripe';
import type { EventObject } from './objects';

/** How webhook delivery retries. */
export interface DeliveryOptions {
  /** Attempts per delivery, the first included (default 6). */
  maxAttempts?: number;
  /** Wait before the 2nd attempt; doubles for each further one (default 1000 ms). */
  baseDelayMs?: number;
  /** How long one attempt may take before it counts as failed (default 10 000 ms). */
  timeoutMs?: number;
}

export interface DeliveryAttempt {
  /** When it was sent (emulator clock, epoch ms). */
  at: number;
  /** The endpoint's HTTP status, or `null` when no answer came. */
  statusCode: number | null;
  /** What went wrong when there was no answer (`ECONNREFUSED`, `timeout`…). */
  error: string | null;
  /** The backoff before the next attempt, or `null` when this one was the last. */
  retryInMs: number | null;
}

export interface Delivery {
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (emulator clock, epoch ms), while one is scheduled. */
  nextAttemptAt: number | null;
}

export interface EventRecord {
  event: EventObject;
  /** One per sending: the first, plus any {@link WebhookDispatcher.resend}. Empty without an endpoint. */
  deliveries: Delivery[];
}

interface DispatcherOptions extends DeliveryOptions {
  secret: string;
  url: string | null;
  now: () => number;
  log: (line: string) => void;
  /** Called whenever an event or a delivery changes (an attempt made, a delivery finished). */
  changed?: () => void;
}

/**
 * Sends events to the configured endpoint, signed like Stripe (`Stripe-Signature` made by the
 * SDK's `webhooks.generateTestHeaderString` with the webhook secret), and retries non-2xx answers
 * and connection errors with exponential backoff.
 */
export class WebhookDispatcher {
  readonly events: EventRecord[] = [];
  private url: string | null;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  /** Bumped by {@link clear}: deliveries of an older generation stop at their next step. */
  private generation = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.url = options.url;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get webhookUrl(): string | null {
    return this.url;
  }

  /** Where later events go; `null` records events without sending them. */
  setUrl(url: string | null): void {
    this.url = url;
  }

  /** Whether an event sent now would have an endpoint (`pending_webhooks`). */
  hasEndpoint(): boolean {
    return this.url !== null;
  }

  /** Records an event and starts delivering it. */
  publish(event: EventObject): EventRecord {
    const record: EventRecord = { event, deliveries: [] };
    this.events.push(record);
    if (this.url !== null) this.start(record, this.url);
    return record;
  }

  /**
   * Puts saved events back. A delivery that was still pending carries on where it stopped, as
   * Stripe's retries do, to the endpoint's current URL; without an endpoint it is given up.
   */
  restore(records: readonly EventRecord[]): void {
    this.events.splice(0, this.events.length, ...records);
    for (const record of records) {
      for (const delivery of record.deliveries) {
        if (delivery.status !== 'pending') continue;
        if (this.url === null) {
          delivery.status = 'failed';
          delivery.nextAttemptAt = null;
          this.options.log(
            `webhook ${record.event.type} ${record.event.id}: no endpoint after restart, giving up`,
          );
          continue;
        }
        delivery.url = this.url;
        this.run(record.event, delivery);
      }
    }
  }

  /** Sends an already delivered event again, as Stripe may (delivery is at least once). */
  resend(record: EventRecord): void {
    if (this.url === null) return;
    this.start(record, this.url);
  }

  /** Resolves once no delivery is running or waiting for a retry. */
  async waitForIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Stops retries and forgets events; deliveries in flight finish on their own. */
  clear(): void {
    this.generation += 1;
    this.events.length = 0;
    this.cancelTimers();
  }

  close(): void {
    this.closed = true;
    this.cancelTimers();
  }

  private cancelTimers(): void {
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
  }

  private start(record: EventRecord, url: string): void {
    const delivery: Delivery = { url, status: 'pending', attempts: [], nextAttemptAt: null };
    record.deliveries.push(delivery);
    this.options.changed?.();
    this.run(record.event, delivery);
  }

  private run(event: EventObject, delivery: Delivery): void {
    const run = this.deliver(event, delivery).finally(() => {
      this.running.delete(run);
      this.options.changed?.();
    });
    this.running.add(run);
  }

  /** Makes the delivery's remaining attempts (all of them for a new one). */
  private async deliver(event: EventObject, delivery: Delivery): Promise<void> {
    // Stripe sends the event pretty-printed; the signature covers these exact bytes.
    const payload = JSON.stringify(event, null, 2);
    const generation = this.generation;
    // A resumed delivery first waits out the backoff it was in.
    if (delivery.nextAttemptAt !== null) {
      await this.sleep(Math.max(0, delivery.nextAttemptAt - this.options.now()));
    }
    for (let attempt = delivery.attempts.length + 1; attempt <= this.maxAttempts; attempt++) {
      if (this.closed || generation !== this.generation) return;
      delivery.nextAttemptAt = null;
      const at = this.options.now();
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: this.options.secret,
        timestamp: Math.floor(at / 1000),
      });
      const result = await this.post(delivery.url, payload, signature);
      const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
      const retryInMs = ok || attempt === this.maxAttempts ? null : this.baseDelayMs * 2 ** (attempt - 1);
      delivery.attempts.push({ at, ...result, retryInMs });
      this.options.changed?.();
      this.options.log(
        `webhook ${event.type} ${event.id} attempt ${attempt}: ${result.statusCode ?? result.error}${ok ? '' : attempt < this.maxAttempts ? ' (will retry)' : ' (giving up)'}`,
      );
      if (ok) {
        delivery.status = 'delivered';
        return;
      }
      if (retryInMs === null) break;
      delivery.nextAttemptAt = this.options.now() + retryInMs;
      await this.sleep(retryInMs);
    }
    delivery.nextAttemptAt = null;
    delivery.status = 'failed';
  }

  private sleep(ms: number): Promise<void> {
    // An attempt that was in flight at close must not start a backoff that keeps the process alive.
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private post(
    url: string,
    payload: string,
    signature: string,
  ): Promise<{ statusCode: number | null; error: string | null }> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ statusCode: null, error: 'invalid webhook URL' });
        return;
      }
      const client = target.protocol === 'https:' ? https : http;
      const request = client.request(
        target,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(payload),
            'Stripe-Signature': signature,
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            // One connection per attempt: nothing lingers to keep a test's server from closing.
            Connection: 'close',
          },
          timeout: this.timeoutMs,
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ statusCode: response.statusCode ?? null, error: null }));
          response.on('error', (err) =>
            resolve({ statusCode: response.statusCode ?? null, error: err.message }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ statusCode: null, error: err.code ?? err.message }),
      );
      request.end(payload);
    });
  }
}
