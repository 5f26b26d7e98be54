import { isIP } from 'node:net';
import * as v from 'valibot';
import { KNOWN_PK_PREFIXES } from '../adapters/dynamodb/table-items';

/**
 * Declarative mapping of items from a retired table into the single commerce table (docs/architecture.md,
 * "The single table"). Pure: no I/O, no clock (callers pass `now`).
 */

/** A mapping must build one of the single table's partition-key prefixes. */
export { KNOWN_PK_PREFIXES };

/** Functions a template placeholder may apply: `{paid_at|date}`. */
export const TRANSFORMS = ['iso', 'date', 'compactDate', 'epochSeconds', 'lower', 'upper', 'trim'] as const;
export type Transform = (typeof TRANSFORMS)[number];

const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)((?:\|[A-Za-z]+)*)\}/g;
const RESERVED_TARGETS = new Set(['PK', 'SK', 'expiresAt']);
/** A source of the same layout (e.g. a point-in-time restore of the commerce table) keeps its keys. */
const SAME_LAYOUT_PK = '{PK}';

const Template = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.check(
    (t) => [...t.matchAll(PLACEHOLDER)].every((m) => transformsOf(m[2] ?? '').every(isTransform)),
    `uses an unknown transform; known: ${TRANSFORMS.join(', ')}`,
  ),
);

const ConditionSchema = v.union(
  [
    v.strictObject({ attribute: v.string(), equals: v.union([v.string(), v.number(), v.boolean()]) }),
    v.strictObject({ attribute: v.string(), in: v.array(v.union([v.string(), v.number()])) }),
    v.strictObject({ attribute: v.string(), exists: v.boolean() }),
  ],
  'must be { attribute, equals } or { attribute, in: [...] } or { attribute, exists }',
);

const AttributeSchema = v.union(
  [
    v.strictObject({ from: v.string() }),
    v.strictObject({ template: Template }),
    v.strictObject({ value: v.union([v.string(), v.number(), v.boolean()]) }),
  ],
  'must be { "from": "<source attribute>" }, { "template": "…{attr}…" } or { "value": <constant> }',
);

const CopySchema = v.strictObject({
  description: v.optional(v.string()),
  where: v.optional(v.array(ConditionSchema), []),
  key: v.strictObject({
    PK: v.pipe(
      Template,
      v.check(
        (t) => t === SAME_LAYOUT_PK || KNOWN_PK_PREFIXES.some((p) => t.startsWith(p)),
        `must start with one of the single table's prefixes (${KNOWN_PK_PREFIXES.join(' ')}), or be "${SAME_LAYOUT_PK}" to copy from a table of the same layout`,
      ),
    ),
    SK: Template,
  }),
  /** Start from every source attribute (then apply `key`, `attributes`, `ttl`); for same-layout copies. */
  copyAll: v.optional(v.boolean(), false),
  attributes: v.pipe(
    v.optional(v.record(v.string(), AttributeSchema), {}),
    v.check(
      (attrs) => Object.keys(attrs).every((name) => !RESERVED_TARGETS.has(name)),
      'must not set PK, SK or expiresAt (use "key" and "ttl")',
    ),
  ),
  ttl: v.optional(
    v.strictObject({
      /** Source attribute holding the expiry (or the start, with `addSeconds`). */
      from: v.string(),
      addSeconds: v.optional(v.pipe(v.number(), v.integer()), 0),
      /** Items already expired are not copied (the table would treat them as absent anyway). */
      skipExpired: v.optional(v.boolean(), true),
    }),
  ),
});

const SkipSchema = v.strictObject({
  description: v.optional(v.string()),
  /** Nothing in the source table is copied; the reason is printed. */
  skip: v.pipe(v.string(), v.minLength(10, 'must say why the table is not migrated')),
});

export type CopyMapping = v.InferOutput<typeof CopySchema>;
export type SkipMapping = v.InferOutput<typeof SkipSchema>;
export type Mapping = CopyMapping | SkipMapping;

/** A migration could not be set up or continued; `code` says which part. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: 'invalid_mapping' | 'checkpoint_mismatch' | 'invalid_arguments',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Validates a mapping file's parsed JSON; the error names each offending field. */
export function parseMapping(data: unknown, source: string): Mapping {
  const schema = isRecord(data) && 'skip' in data ? SkipSchema : CopySchema;
  const result = v.safeParse(schema, data);
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
    throw new MigrationError('invalid_mapping', `Invalid mapping ${source}:\n  - ${problems.join('\n  - ')}`);
  }
  return result.output;
}

export function isSkipMapping(mapping: Mapping): mapping is SkipMapping {
  return 'skip' in mapping;
}

export type SourceItem = Readonly<Record<string, unknown>>;
export type TargetItem = Record<string, unknown> & { PK: string; SK: string };

export type MapResult =
  | { readonly kind: 'put'; readonly item: TargetItem }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string };

export type SkipReason = 'filtered' | 'missing_attribute' | 'bad_value' | 'expired' | 'raw_ip';

/**
 * Turns one source item into the item to write, or says why it is skipped: it fails a `where`
 * condition, lacks an attribute a template needs, has an unusable value, has already expired, or
 * would carry a raw IP address into the new table (which never stores one).
 */
export function mapItem(source: SourceItem, mapping: CopyMapping, now: number): MapResult {
  for (const condition of mapping.where) {
    if (!holds(condition, source)) {
      return { kind: 'skip', reason: 'filtered', detail: `fails where: ${JSON.stringify(condition)}` };
    }
  }
  try {
    const item: TargetItem = {
      ...(mapping.copyAll ? source : {}),
      PK: renderTemplate(mapping.key.PK, source),
      SK: renderTemplate(mapping.key.SK, source),
    };
    for (const [name, spec] of Object.entries(mapping.attributes)) {
      if ('from' in spec) {
        const value = source[spec.from];
        if (value !== undefined) item[name] = value;
      } else if ('template' in spec) {
        item[name] = renderTemplate(spec.template, source);
      } else {
        item[name] = spec.value;
      }
    }
    if (mapping.ttl) {
      const raw = source[mapping.ttl.from];
      if (raw === undefined || raw === null)
        throw new MappingValueError('missing_attribute', mapping.ttl.from);
      const expiresAt = toEpochSeconds(raw, mapping.ttl.from) + mapping.ttl.addSeconds;
      if (mapping.ttl.skipExpired && expiresAt <= now) {
        return {
          kind: 'skip',
          reason: 'expired',
          detail: `expired at ${new Date(expiresAt * 1000).toISOString()}`,
        };
      }
      item.expiresAt = expiresAt;
    } else if (typeof item.expiresAt === 'number' && item.expiresAt <= now) {
      // Copied as it was: already expired items are absent to every reader of the table.
      return { kind: 'skip', reason: 'expired', detail: 'its expiresAt has passed' };
    }
    const ipAttribute = findRawIp(item);
    if (ipAttribute) {
      return { kind: 'skip', reason: 'raw_ip', detail: `${ipAttribute} would hold a raw IP address` };
    }
    return { kind: 'put', item };
  } catch (err: unknown) {
    if (err instanceof MappingValueError) return { kind: 'skip', reason: err.reason, detail: err.message };
    throw err;
  }
}

/** Fills `{attr}` / `{attr|transform|…}` placeholders from the source item. */
export function renderTemplate(template: string, source: SourceItem): string {
  return template.replace(PLACEHOLDER, (_match, attribute: string, pipes: string) => {
    const value = source[attribute];
    if (value === undefined || value === null || value === '') {
      throw new MappingValueError('missing_attribute', attribute);
    }
    let text = scalarText(value, attribute);
    for (const transform of transformsOf(pipes))
      text = applyTransform(transform as Transform, text, value, attribute);
    return text;
  });
}

class MappingValueError extends Error {
  constructor(
    readonly reason: 'missing_attribute' | 'bad_value',
    attributeOrMessage: string,
  ) {
    super(reason === 'missing_attribute' ? `missing attribute ${attributeOrMessage}` : attributeOrMessage);
  }
}

function transformsOf(pipes: string): string[] {
  return pipes.split('|').filter(Boolean);
}

function isTransform(name: string): name is Transform {
  return (TRANSFORMS as readonly string[]).includes(name);
}

function applyTransform(transform: Transform, text: string, original: unknown, attribute: string): string {
  switch (transform) {
    case 'lower':
      return text.toLowerCase();
    case 'upper':
      return text.toUpperCase();
    case 'trim':
      return text.trim();
    case 'epochSeconds':
      return String(toEpochSeconds(original, attribute));
    case 'iso':
      return new Date(toEpochSeconds(original, attribute) * 1000).toISOString();
    case 'date':
      return new Date(toEpochSeconds(original, attribute) * 1000).toISOString().slice(0, 10);
    case 'compactDate':
      return new Date(toEpochSeconds(original, attribute) * 1000)
        .toISOString()
        .slice(0, 10)
        .replaceAll('-', '');
  }
}

/**
 * Reads a timestamp the way old tables tend to store one: epoch seconds, epoch milliseconds
 * (anything past the year 33658 in seconds is taken as milliseconds) or an ISO 8601 string.
 */
export function toEpochSeconds(value: unknown, attribute: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return Math.floor(value > 1e12 ? value / 1000 : value);
  }
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return toEpochSeconds(Number(value), attribute);
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  // The value itself stays out of the message: old tables may hold emails or addresses.
  throw new MappingValueError('bad_value', `${attribute} is not a timestamp (${typeof value})`);
}

function scalarText(value: unknown, attribute: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  throw new MappingValueError('bad_value', `${attribute} is not a string or number and cannot go into a key`);
}

function holds(condition: CopyMapping['where'][number], source: SourceItem): boolean {
  const value = source[condition.attribute];
  if ('exists' in condition) return (value !== undefined && value !== null) === condition.exists;
  if ('equals' in condition) return value === condition.equals;
  return condition.in.some((candidate) => candidate === value);
}

/** The first attribute (or key) of the item whose value is, or contains as a segment, an IP address. */
function findRawIp(item: TargetItem): string | undefined {
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'string') continue;
    if (isIP(value) || value.split(/[#|,\s]/).some((part) => isIP(part) !== 0)) return name;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
