/**
 * The account-level resources `npm run doctor` reads: webhook endpoints (`/v1/webhook_endpoints`,
 * create, retrieve, update, list, delete) and the balance (`GET /v1/balance`, whose `livemode` tells
 * a live key from a test key). Parameters and objects follow Stripe's API reference; endpoints
 * created here are records for listing: events are still delivered to the emulator's configured
 * `webhookUrl` (docs/stripe-emulator.md).
 */
import { invalidParam, resourceMissing } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import type { BalanceObject, ListObject, WebhookEndpointObject } from './objects';
import { boolean, integer, list, metadata, object, optional, required, string, url } from './params';

const expand = optional(list(string({ max: 200 })));
const enabledEvents = list(
  string({
    max: 100,
    pattern: /^(\*|[a-z_]+(\.[a-z_]+)+)$/,
    patternMessage: 'Invalid enabled_events: must be "*" or event types such as checkout.session.completed',
  }),
);
const apiVersion = string({
  max: 40,
  pattern: /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/,
  patternMessage: 'Invalid api_version: must be a Stripe API version such as 2026-10-28.endive',
});

const createSchema = object({
  url: required(url()),
  enabled_events: required(enabledEvents),
  api_version: optional(apiVersion),
  description: optional(string({ max: 5000 })),
  metadata: optional(metadata()),
  expand,
});
const updateSchema = object({
  url: optional(url()),
  enabled_events: optional(enabledEvents),
  disabled: optional(boolean()),
  description: optional(string({ max: 5000 })),
  metadata: optional(metadata()),
  expand,
});
const listSchema = object({
  limit: optional(integer({ min: 1, max: 100 })),
  starting_after: optional(string({ max: 200 })),
  ending_before: optional(string({ max: 200 })),
  expand,
});
const expandOnly = object({ expand });

function noExpansion(paths: string[] | undefined): void {
  const [first] = paths ?? [];
  if (first !== undefined) {
    throw invalidParam(`This property cannot be expanded (${first}) by the Stripe emulator.`, 'expand[0]');
  }
}

export interface AccountResourcesOptions {
  /** Milliseconds since the epoch, like `Date.now`. */
  now: () => number;
  newId: (kind: IdKind) => string;
}

/** Webhook endpoints and the balance of the emulated (test-mode) account. */
export class AccountResources {
  /** In creation order; lists answer newest first, as Stripe does. */
  private readonly endpoints: WebhookEndpointObject[] = [];

  constructor(private readonly options: AccountResourcesOptions) {}

  /** `POST /v1/webhook_endpoints`: the answer is the only one that carries the signing `secret`. */
  createWebhookEndpoint(raw: FormObject): WebhookEndpointObject {
    const params = createSchema.parse(raw, '');
    noExpansion(params.expand);
    if (params.enabled_events.length === 0) {
      throw invalidParam('enabled_events must name at least one event.', 'enabled_events');
    }
    const endpoint: WebhookEndpointObject = {
      id: this.options.newId('webhookEndpoint'),
      object: 'webhook_endpoint',
      api_version: params.api_version ?? null,
      application: null,
      created: Math.floor(this.options.now() / 1000),
      description: params.description ?? null,
      enabled_events: params.enabled_events,
      livemode: false,
      metadata: params.metadata ?? {},
      status: 'enabled',
      url: params.url,
    };
    this.endpoints.push(endpoint);
    return { ...structuredClone(endpoint), secret: this.options.newId('webhookSecret') };
  }

  /** `GET /v1/webhook_endpoints/:id`. */
  retrieveWebhookEndpoint(id: string, raw: FormObject): WebhookEndpointObject {
    noExpansion(expandOnly.parse(raw, '').expand);
    return structuredClone(this.requireEndpoint(id));
  }

  /** `POST /v1/webhook_endpoints/:id`: url, enabled_events, disabled, description, metadata. */
  updateWebhookEndpoint(id: string, raw: FormObject): WebhookEndpointObject {
    const params = updateSchema.parse(raw, '');
    noExpansion(params.expand);
    const endpoint = this.requireEndpoint(id);
    if (params.url !== undefined) endpoint.url = params.url;
    if (params.enabled_events !== undefined) endpoint.enabled_events = params.enabled_events;
    if (params.disabled !== undefined) endpoint.status = params.disabled ? 'disabled' : 'enabled';
    if (params.description !== undefined) endpoint.description = params.description;
    if (params.metadata !== undefined) endpoint.metadata = { ...endpoint.metadata, ...params.metadata };
    return structuredClone(endpoint);
  }

  /** `GET /v1/webhook_endpoints`: newest first, `limit` (1–100, default 10) with cursors. */
  listWebhookEndpoints(raw: FormObject): ListObject<WebhookEndpointObject> {
    const params = listSchema.parse(raw, '');
    noExpansion(params.expand);
    const items = [...this.endpoints].reverse();
    const limit = params.limit ?? 10;
    let start = 0;
    let end = items.length;
    if (params.starting_after !== undefined) {
      start = this.indexFor(items, params.starting_after, 'starting_after') + 1;
    } else if (params.ending_before !== undefined) {
      end = this.indexFor(items, params.ending_before, 'ending_before');
      start = Math.max(0, end - limit);
    }
    const data = items.slice(start, Math.min(end, start + limit)).map((e) => structuredClone(e));
    return { object: 'list', data, has_more: start + data.length < end, url: '/v1/webhook_endpoints' };
  }

  /** `DELETE /v1/webhook_endpoints/:id`. */
  deleteWebhookEndpoint(
    id: string,
    raw: FormObject,
  ): { id: string; object: 'webhook_endpoint'; deleted: true } {
    noExpansion(expandOnly.parse(raw, '').expand);
    const index = this.endpoints.findIndex((e) => e.id === id);
    if (index < 0) throw resourceMissing('webhook_endpoint', id);
    this.endpoints.splice(index, 1);
    return { id, object: 'webhook_endpoint', deleted: true };
  }

  /** `GET /v1/balance`: nothing is ever paid out here, so every amount is zero; always test mode. */
  retrieveBalance(raw: FormObject): BalanceObject {
    noExpansion(expandOnly.parse(raw, '').expand);
    const zero = [{ amount: 0, currency: 'usd', source_types: { card: 0 } }];
    return { object: 'balance', available: zero, livemode: false, pending: structuredClone(zero) };
  }

  reset(): void {
    this.endpoints.length = 0;
  }

  private requireEndpoint(id: string): WebhookEndpointObject {
    const endpoint = this.endpoints.find((e) => e.id === id);
    if (!endpoint) throw resourceMissing('webhook_endpoint', id);
    return endpoint;
  }

  private indexFor(items: readonly WebhookEndpointObject[], id: string, param: string): number {
    const index = items.findIndex((e) => e.id === id);
    if (index < 0) throw resourceMissing('webhook_endpoint', id, param);
    return index;
  }
}
