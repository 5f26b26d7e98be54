/**
 * A small validator for Stripe's form parameters. Each schema turns a decoded {@link FormValue}
 * into a typed value or throws the error Stripe would send, naming the parameter the way Stripe
 * does (`line_items[0][price_data][unit_amount]`), so clients see `parameter_unknown`,
 * `parameter_missing`, `parameter_invalid_integer`… exactly where they would in production.
 */
import { invalidParam } from './errors';
import type { FormObject, FormValue } from './form';

export interface Schema<T> {
  parse(value: FormValue, param: string): T;
}

interface Field<T, Required extends boolean> {
  schema: Schema<T>;
  required: Required;
}

type AnyField = Field<unknown, boolean>;
type Shape = Record<string, AnyField>;
type FieldValue<F> = F extends Field<infer T, boolean> ? T : never;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;

/** The typed value an {@link object} schema produces: required keys present, the others optional. */
export type Infer<S extends Shape> = { [K in RequiredKeys<S>]: FieldValue<S[K]> } & {
  [K in OptionalKeys<S>]?: FieldValue<S[K]>;
};

/** A parameter that must be present (and non-empty). */
export function required<T>(schema: Schema<T>): Field<T, true> {
  return { schema, required: true };
}

/** A parameter that may be left out; an empty string means "unset", as in Stripe. */
export function optional<T>(schema: Schema<T>): Field<T, false> {
  return { schema, required: false };
}

function child(param: string, key: string): string {
  return param ? `${param}[${key}]` : key;
}

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function string(
  options: { max?: number; pattern?: RegExp; patternMessage?: string } = {},
): Schema<string> {
  return {
    parse(value, param) {
      if (typeof value !== 'string') throw invalidParam(`Invalid string: ${describe(value)}`, param);
      if (options.max !== undefined && value.length > options.max) {
        throw invalidParam(
          `Invalid string: ${value.slice(0, 20)}...; must be at most ${options.max} characters`,
          param,
        );
      }
      if (options.pattern && !options.pattern.test(value)) {
        throw invalidParam(options.patternMessage ?? `Invalid ${param}: ${value}`, param);
      }
      return value;
    },
  };
}

export function integer(options: { min?: number; max?: number } = {}): Schema<number> {
  return {
    parse(value, param) {
      if (typeof value !== 'string' || !/^-?\d{1,15}$/.test(value)) {
        throw invalidParam(`Invalid integer: ${describe(value)}`, param, 'parameter_invalid_integer');
      }
      const n = Number(value);
      if (options.min !== undefined && n < options.min) {
        throw invalidParam(`This value must be greater than or equal to ${options.min}.`, param);
      }
      if (options.max !== undefined && n > options.max) {
        throw invalidParam(`This value must be less than or equal to ${options.max}.`, param);
      }
      return n;
    },
  };
}

/** A decimal such as `percent_off=25.5`, within `(exclusiveMin, max]`. */
export function decimal(options: { exclusiveMin?: number; max?: number } = {}): Schema<number> {
  return {
    parse(value, param) {
      if (typeof value !== 'string' || !/^-?\d{1,12}(\.\d{1,12})?$/.test(value)) {
        throw invalidParam(`Invalid decimal: ${describe(value)}`, param);
      }
      const n = Number(value);
      if (
        (options.exclusiveMin !== undefined && n <= options.exclusiveMin) ||
        (options.max !== undefined && n > options.max)
      ) {
        throw invalidParam(
          `Invalid ${param}: must be greater than ${options.exclusiveMin} and at most ${options.max}`,
          param,
        );
      }
      return n;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    parse(value, param) {
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw invalidParam(`Invalid boolean: ${describe(value)}`, param);
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  return {
    parse(value, param) {
      const found = values.find((v) => v === value);
      if (found === undefined) {
        const list =
          values.length > 1 ? `${values.slice(0, -1).join(', ')}, or ${values.at(-1)}` : String(values[0]);
        throw invalidParam(`Invalid ${param}: must be one of ${list}`, param);
      }
      return found;
    },
  };
}

/** An absolute http(s) URL; `{CHECKOUT_SESSION_ID}` is allowed anywhere, as in Stripe. */
export function url(): Schema<string> {
  return {
    parse(value, param) {
      const text = string({ max: 5000 }).parse(value, param);
      try {
        const parsed = new URL(text.replaceAll('{CHECKOUT_SESSION_ID}', 'cs_placeholder'));
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return text;
      } catch {
        // reported below, like any other invalid URL
      }
      throw invalidParam('Not a valid URL', param, 'url_invalid');
    },
  };
}

export function email(): Schema<string> {
  return {
    parse(value, param) {
      const text = string({ max: 800 }).parse(value, param);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
        throw invalidParam(`Invalid email address: ${text}`, param, 'email_invalid');
      }
      return text;
    },
  };
}

/** A three-letter ISO currency code, answered in lower case like Stripe does. */
export function currency(): Schema<string> {
  return {
    parse(value, param) {
      if (typeof value !== 'string' || !/^[a-zA-Z]{3}$/.test(value)) {
        throw invalidParam(`Invalid currency: ${describe(value)}`, param);
      }
      return value.toLowerCase();
    },
  };
}

/** Stripe's metadata: up to 50 keys of at most 40 characters, values of at most 500. */
export function metadata(): Schema<Record<string, string>> {
  return {
    parse(value, param) {
      const out: Record<string, string> = {};
      if (value === '') return out;
      if (typeof value === 'string') throw invalidParam(`Invalid hash: ${value}`, param);
      const keys = Object.keys(value);
      if (keys.length > 50) {
        throw invalidParam('Metadata can have at most 50 keys.', param);
      }
      for (const key of keys) {
        const item = value[key] ?? '';
        const where = child(param, key);
        if (typeof item !== 'string') throw invalidParam(`Invalid string: ${describe(item)}`, where);
        if (key.length > 40) throw invalidParam('Metadata keys can be at most 40 characters long.', where);
        if (item.length > 500)
          throw invalidParam('Metadata values can be at most 500 characters long.', where);
        // An empty value unsets the key, which on a create simply means "not set".
        if (item !== '') out[key] = item;
      }
      return out;
    },
  };
}

/** A list sent as `name[0]…name[n]`; `name=` (empty) is an empty list. */
export function list<T>(item: Schema<T>, options: { max?: number; maxMessage?: string } = {}): Schema<T[]> {
  return {
    parse(value, param) {
      if (value === '') return [];
      if (typeof value === 'string') throw invalidParam(`Invalid array`, param);
      const keys = Object.keys(value);
      if (!keys.every((key) => /^\d+$/.test(key))) throw invalidParam('Invalid array', param);
      const ordered = keys.sort((a, b) => Number(a) - Number(b));
      if (options.max !== undefined && ordered.length > options.max) {
        throw invalidParam(
          options.maxMessage ??
            `${param} must have at most ${options.max} items; you passed ${ordered.length}.`,
          param,
        );
      }
      return ordered.map((key, index) => item.parse(value[key] ?? '', child(param, String(index))));
    },
  };
}

/** A nested hash with a fixed set of keys; any other key is `parameter_unknown`. */
export function object<S extends Shape>(
  shape: S,
  options: { unknownHint?: (key: string) => string } = {},
): Schema<Infer<S>> {
  return {
    parse(value, param) {
      if (typeof value === 'string') {
        if (value === '') return parseObject(shape, emptyObject(), param, options.unknownHint);
        throw invalidParam(`Invalid hash: ${value}`, param);
      }
      return parseObject(shape, value, param, options.unknownHint);
    },
  };
}

function emptyObject(): FormObject {
  return Object.create(null);
}

function parseObject<S extends Shape>(
  shape: S,
  value: FormObject,
  param: string,
  unknownHint: ((key: string) => string) | undefined,
): Infer<S> {
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(shape, key)) {
      const where = child(param, key);
      const hint = unknownHint ? unknownHint(key) : '';
      throw invalidParam(`Received unknown parameter: ${where}${hint}`, where, 'parameter_unknown');
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const where = child(param, key);
    const raw = value[key];
    if (raw === undefined) {
      if (field.required) throw invalidParam(`Missing required param: ${where}.`, where, 'parameter_missing');
      continue;
    }
    if (raw === '') {
      if (field.required) {
        throw invalidParam(
          `You passed an empty string for '${where}'. We assume empty values are an attempt to unset a parameter; however '${where}' cannot be unset. You should remove '${where}' from your request or supply a non-empty value.`,
          where,
          'parameter_invalid_empty',
        );
      }
      continue;
    }
    out[key] = field.schema.parse(raw, where);
  }
  // The loop above set every required key and only keys of the shape, with their schemas' types.
  return out as Infer<S>;
}
