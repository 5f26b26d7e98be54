/**
 * Plain JavaScript values ↔ DynamoDB's typed JSON (`{ "S": "…" }`, `{ "N": "12" }`, …), as the
 * document client of the official SDK converts them, with `removeUndefinedValues`: strings,
 * finite numbers (and bigints) within exact range, booleans, null, arrays (lists), plain objects
 * (maps), sets of strings or numbers, and binary (`Uint8Array`). `undefined` is left out of maps
 * and lists; anything else is refused before a request is sent.
 */

export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly L: readonly AttributeValue[] }
  | { readonly M: AttributeMap }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly B: string }
  | { readonly BS: readonly string[] };

export type AttributeMap = { readonly [name: string]: AttributeValue };

/** An item, key or set of expression values as plain values. */
export type Item = Record<string, unknown>;

/** A value DynamoDB cannot store, named by its path (`Item.lines[2].price`). */
export class UnsupportedValueError extends Error {
  override readonly name = 'UnsupportedValueError';
}

export function toAttributeMap(values: Readonly<Item>, path = ''): AttributeMap {
  const map: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    map[name] = toAttributeValue(value, path ? `${path}.${name}` : name);
  }
  return map;
}

export function toAttributeValue(value: unknown, path: string): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return { N: numberText(value, path) };
    case 'bigint':
      return { N: value.toString() };
    case 'boolean':
      return { BOOL: value };
    case 'object': {
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) {
        return {
          L: value.filter((v) => v !== undefined).map((v, i) => toAttributeValue(v, `${path}[${i}]`)),
        };
      }
      if (value instanceof Uint8Array) return { B: Buffer.from(value).toString('base64') };
      if (value instanceof Set) return setValue(value, path);
      const prototype = Object.getPrototypeOf(value);
      if (prototype === Object.prototype || prototype === null)
        return { M: toAttributeMap(value as Item, path) };
      throw new UnsupportedValueError(
        `${path}: a ${prototype?.constructor?.name ?? 'object'} cannot be stored`,
      );
    }
    default:
      throw new UnsupportedValueError(`${path}: a ${typeof value} cannot be stored`);
  }
}

function numberText(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new UnsupportedValueError(`${path}: ${value} is not a storable number`);
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new UnsupportedValueError(`${path}: ${value} is beyond exact integers; use a bigint`);
  }
  return String(value);
}

function setValue(set: ReadonlySet<unknown>, path: string): AttributeValue {
  const members = [...set];
  if (members.length === 0) throw new UnsupportedValueError(`${path}: DynamoDB stores no empty set`);
  if (members.every((m) => typeof m === 'string')) return { SS: members };
  if (members.every((m) => typeof m === 'number' || typeof m === 'bigint')) {
    return { NS: members.map((m) => (typeof m === 'number' ? numberText(m, path) : m.toString())) };
  }
  if (members.every((m) => m instanceof Uint8Array)) {
    return { BS: members.map((m) => Buffer.from(m).toString('base64')) };
  }
  throw new UnsupportedValueError(`${path}: a set holds strings, numbers or binary, one kind only`);
}

export function fromAttributeMap(map: AttributeMap): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(map)) item[name] = fromAttributeValue(value);
  return item;
}

export function fromAttributeValue(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return numberValue(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('L' in value) return value.L.map(fromAttributeValue);
  if ('M' in value) return fromAttributeMap(value.M);
  if ('SS' in value) return new Set(value.SS);
  if ('NS' in value) return new Set(value.NS.map(numberValue));
  if ('B' in value) return new Uint8Array(Buffer.from(value.B, 'base64'));
  if ('BS' in value) return new Set(value.BS.map((b) => new Uint8Array(Buffer.from(b, 'base64'))));
  throw new UnsupportedValueError(`an attribute of unknown type ${Object.keys(value).join(', ')}`);
}

/** A stored number; one a JavaScript number cannot hold exactly is refused, as the SDK does. */
function numberValue(text: string): number {
  const value = Number(text);
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new UnsupportedValueError(`the stored number ${text} is beyond exact integers`);
  }
  return value;
}
