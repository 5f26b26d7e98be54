/**
 * The account-level resources `npm run doctor` reads: webhook endpoints (`/v1/webhook_endpoints`,
 * create, retrieve, update, list, delete) and the balance (`GET /v1/balance`, whose `livemode` tells
 * a live key from a test key). Parameters and objects follow Stripe's API reference; endpoints
 * created here are records for listing: events are still delivered to the emulator's configured
 * `webhookUrl` (docs/stripe-emulator.md).
 */
import { type ApiRoute, route } from './api-route';
import { invalidParam, resourceMissing } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand, pageOf } from './list-and-expand';
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

/** None of these endpoints expands anything. */
function noExpansion(paths: string[] | undefined): void {
  checkExpand(paths, []);
}

export interface AccountResourcesOptions {
  /** Milliseconds since the epoch, like `Date.now`. */
  now: () => number;
  newId: (kind: IdKind) => string;
}

/** The endpoints of this module, for the API router. */
export const ACCOUNT_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/webhook_endpoints', (r, c) => r.account.createWebhookEndpoint(c.params)),
  route('GET', '/v1/webhook_endpoints', (r, c) => r.account.listWebhookEndpoints(c.params)),
  route('GET', '/v1/webhook_endpoints/:id', (r, c) => r.account.retrieveWebhookEndpoint(c.id, c.params)),
  route('POST', '/v1/webhook_endpoints/:id', (r, c) => r.account.updateWebhookEndpoint(c.id, c.params)),
  route('DELETE', '/v1/webhook_endpoints/:id', (r, c) => r.account.deleteWebhookEndpoint(c.id, c.params)),
  route('GET', '/v1/balance', (r, c) => r.account.retrieveBalance(c.params)),
];

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
    const newestFirst = [...this.endpoints].reverse();
    return pageOf(
      newestFirst,
      { limit: params.limit ?? 10, startingAfter: params.starting_after, endingBefore: params.ending_before },
      '/v1/webhook_endpoints',
      'webhook_endpoint',
    );
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

  /** Every endpoint in creation order, for saving the state. */
  allEndpoints(): readonly WebhookEndpointObject[] {
    return this.endpoints;
  }

  /** Replaces the endpoints with saved ones (in creation order). */
  restore(endpoints: readonly WebhookEndpointObject[]): void {
    this.endpoints.splice(0, this.endpoints.length, ...endpoints);
  }

  reset(): void {
    this.endpoints.length = 0;
  }

  private requireEndpoint(id: string): WebhookEndpointObject {
    const endpoint = this.endpoints.find((e) => e.id === id);
    if (!endpoint) throw resourceMissing('webhook_endpoint', id);
    return endpoint;
  }
}
