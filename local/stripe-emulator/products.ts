/**
 * Products (`GET /v1/products`, `GET /v1/products/:id`): the seeded ones and, for retrieval, the
 * inline ones sessions created. They live in the {@link PriceStore} with their prices.
 */
import { type ApiRoute, route } from './api-route';
import { invalidParam, resourceMissing } from './errors';
import type { FormObject } from './form';
import { checkExpand, pageOf } from './list-and-expand';
import { type ListObject, type ProductObject, snapshot } from './objects';
import type { PriceStore } from './prices';
import { expandOnlySchema, productListSchema } from './schemas';

/** The endpoints of this module, for the API router. */
export const PRODUCT_ROUTES: readonly ApiRoute[] = [
  route('GET', '/v1/products', (r, c) => listProducts(r.prices, c.params)),
  route('GET', '/v1/products/:id', (r, c) => retrieveProduct(r.prices, c.id, c.params)),
];

/**
 * `GET /v1/products`: newest first, inline products left out; `active` (both when absent, as in
 * Stripe), `ids[]` (not with a cursor), `limit` (1–100, default 10), `starting_after`, `ending_before`.
 */
export function listProducts(store: PriceStore, raw: FormObject): ListObject<ProductObject> {
  const params = productListSchema.parse(raw, '');
  checkExpand(params.expand, []);
  if (
    params.ids !== undefined &&
    (params.starting_after !== undefined || params.ending_before !== undefined)
  ) {
    throw invalidParam('ids cannot be used together with starting_after or ending_before.', 'ids');
  }
  const ids = params.ids === undefined ? undefined : new Set(params.ids);
  const all = [...store.products.values()].filter((product) => !store.inlineIds.has(product.id)).reverse();
  const matching = all.filter(
    (product) =>
      (params.active === undefined || product.active === params.active) &&
      (ids === undefined || ids.has(product.id)),
  );
  return pageOf(
    matching,
    { limit: params.limit ?? 10, startingAfter: params.starting_after, endingBefore: params.ending_before },
    '/v1/products',
    'product',
    all,
  );
}

/** `GET /v1/products/:id`: any product, archived and inline ones included. */
export function retrieveProduct(store: PriceStore, id: string, raw: FormObject): ProductObject {
  checkExpand(expandOnlySchema.parse(raw, '').expand, []);
  const product = store.products.get(id);
  if (!product) throw resourceMissing('product', id);
  return snapshot(product);
}
