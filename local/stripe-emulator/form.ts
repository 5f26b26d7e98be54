import { StripeApiError } from './errors';

/**
 * A decoded form parameter: a string leaf, or an object of children. Arrays stay objects with
 * numeric keys (`line_items[0]`) until a schema says the parameter is a list, so `metadata[0]`
 * is never mistaken for an array.
 */
export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

/**
 * Decodes Stripe's `application/x-www-form-urlencoded` parameters, with nested brackets
 * (`line_items[0][price_data][unit_amount]=3200`) and `[]` appends (`expand[]=line_items`).
 * Objects are created without a prototype so keys such as `__proto__` stay plain data.
 */
export function parseFormParams(encoded: string): FormObject {
  const root = emptyFormObject();
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const match = KEY_PATTERN.exec(rawKey);
    if (!match) throw malformed(rawKey);
    const segments = [
      match[1] ?? '',
      ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? ''),
    ];
    assign(root, segments, value, rawKey);
  }
  return root;
}

function assign(root: FormObject, segments: string[], value: string, rawKey: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    let segment = segments[i] ?? '';
    if (segment === '') segment = String(Object.keys(node).length);
    const last = i === segments.length - 1;
    if (last) {
      if (typeof node[segment] === 'object') throw malformed(rawKey);
      node[segment] = value;
      return;
    }
    let child = node[segment];
    if (child === undefined) {
      child = emptyFormObject();
      node[segment] = child;
    }
    if (typeof child === 'string') throw malformed(rawKey);
    node = child;
  }
}

/** An object without a prototype, so that any parameter name is just a key. */
export function emptyFormObject(): FormObject {
  return Object.create(null);
}

function malformed(key: string): StripeApiError {
  return new StripeApiError(`Invalid parameter name or nesting: ${key}`, {
    param: key,
    storeIdempotent: false,
  });
}

/**
 * A stable text form of decoded parameters (keys sorted at every level), used to decide whether
 * a request reusing an idempotency key sent the same parameters as the first one.
 */
export function fingerprintParams(params: FormValue): string {
  if (typeof params === 'string') return JSON.stringify(params);
  const keys = Object.keys(params).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${fingerprintParams(params[key] ?? '')}`).join(',')}}`;
}
