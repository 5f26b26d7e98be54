import type { CartItem } from './api-types';

/** Where the cart is kept: `localStorage` in the browser, a map in tests. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const CART_STORAGE_KEY = 'storefront.cart.v1';

/** The API takes at most 50 lines; the storefront never builds a bigger cart. */
export const MAX_CART_LINES = 50;

/** A cart: lines in the order the customer added them, one per SKU, quantities ≥ 1. */
export type Cart = readonly CartItem[];

/**
 * Sets a SKU's quantity (0 removes the line), clamped to `maxQuantity`. New SKUs go to the end, so
 * lines don't jump around while the customer clicks; past the API's line limit nothing is added.
 */
export function setQuantity(cart: Cart, sku: string, quantity: number, maxQuantity: number): Cart {
  const wanted = Math.max(0, Math.min(Math.floor(Number.isFinite(quantity) ? quantity : 0), maxQuantity));
  const index = cart.findIndex((line) => line.sku === sku);
  if (index === -1) {
    if (wanted === 0 || cart.length >= MAX_CART_LINES) return cart;
    return [...cart, { sku, quantity: wanted }];
  }
  if (wanted === 0) return cart.filter((line) => line.sku !== sku);
  return cart.map((line) => (line.sku === sku ? { sku, quantity: wanted } : line));
}

/** Adds units of a SKU (e.g. "Add to cart", or a hint's suggested addition). */
export function addToCart(cart: Cart, sku: string, quantity: number, maxQuantity: number): Cart {
  return setQuantity(cart, sku, quantityOf(cart, sku) + quantity, maxQuantity);
}

export function quantityOf(cart: Cart, sku: string): number {
  return cart.find((line) => line.sku === sku)?.quantity ?? 0;
}

export function unitCount(cart: Cart): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/** Order-independent identity of a cart's contents, to tell whether a quote still matches it. */
export function cartKey(items: readonly CartItem[]): string {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  return [...merged]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => `${sku}×${quantity}`)
    .join(',');
}

/**
 * Reads the saved cart. Anything malformed (an old format, a hand-edited value) is dropped line by
 * line rather than breaking the page: a lost line is better than a shop that will not load.
 */
export function loadCart(store: KeyValueStore): Cart {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getItem(CART_STORAGE_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  let cart: Cart = [];
  for (const line of raw) {
    if (typeof line !== 'object' || line === null) continue;
    const { sku, quantity } = line as { sku?: unknown; quantity?: unknown };
    if (typeof sku !== 'string' || typeof quantity !== 'number' || !Number.isInteger(quantity)) continue;
    cart = addToCart(cart, sku, quantity, Number.MAX_SAFE_INTEGER);
  }
  return cart;
}

/** Saves the cart; a full or disabled storage only costs persistence, never the page. */
export function saveCart(store: KeyValueStore, cart: Cart): void {
  try {
    if (cart.length === 0) store.removeItem(CART_STORAGE_KEY);
    else store.setItem(CART_STORAGE_KEY, JSON.stringify(cart));
  } catch {
    // Private mode or quota: the cart still works for this page view.
  }
}

export const CART_ID_STORAGE_KEY = 'storefront.cart-id.v1';
const CART_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * This browser's cart id (made on first use): the API holds at most one open Checkout Session per
 * cart id, so a second tab or a changed cart expires the earlier session instead of leaving two
 * payable. Without storage it still works for this page view (a new id each time).
 */
export function cartIdOf(store: KeyValueStore, random: () => string = randomCartId): string {
  try {
    const saved = store.getItem(CART_ID_STORAGE_KEY);
    if (saved && CART_ID_PATTERN.test(saved)) return saved;
  } catch {
    // Fall through to a new id.
  }
  return renewCartId(store, random);
}

/** Starts a new cart id: after the cart was bought, its id belongs to that order. */
export function renewCartId(store: KeyValueStore, random: () => string = randomCartId): string {
  const id = random();
  try {
    store.setItem(CART_ID_STORAGE_KEY, id);
  } catch {
    // Private mode or quota: the id lasts this page view.
  }
  return id;
}

/** 22 characters of base64url from 16 random bytes. */
function randomCartId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
}
