/**
 * The shop's own words: its name, what search results say about it, and the footer's shipping,
 * returns and contact. One small file per shop (`storefront/shop.json` for the demo), written into
 * the page when it is built; nothing here is the API's business.
 */
export interface ShopConfig {
  /** The header, the page titles. */
  readonly name: string;
  /** `<meta name="description">`: the sentence search results show under the shop's name. */
  readonly description: string;
  /** A line under the name, e.g. that this is a demo with test payments; left out for none. */
  readonly notice?: string;
  /** The footer's "Shipping": where to, how long, what it costs. */
  readonly shipping: string;
  /** The footer's "Returns": how long, on what terms. */
  readonly returns: string;
  /** The footer's "Contact" (and the success page's): an e-mail address, a contact page, or both. */
  readonly contact: {
    readonly email?: string;
    readonly url?: string;
  };
}

/** Search engines cut descriptions near this length; a longer one only loses its end. */
export const MAX_DESCRIPTION_LENGTH = 160;

const LIMITS = { name: 60, notice: 160, shipping: 300, returns: 300 } as const;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TOP_KEYS = new Set(['$comment', 'name', 'description', 'notice', 'shipping', 'returns', 'contact']);
const CONTACT_KEYS = new Set(['email', 'url']);

/** A shop config that cannot be used; `problems` names each field and what is wrong with it. */
export class ShopConfigError extends Error {
  override readonly name = 'ShopConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

/**
 * Checks a parsed `shop.json` and returns it typed. Every problem is reported at once, by field
 * (`contact.email: must be an e-mail address`), so a shop owner fixes the file in one go; unknown
 * fields are refused, since a misspelt optional field would otherwise vanish silently. `source`
 * names the file in the message.
 */
export function parseShopConfig(data: unknown, source = 'shop config'): ShopConfig {
  const problems: string[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ShopConfigError(source, ['must be a JSON object']);
  }
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!TOP_KEYS.has(key)) problems.push(`${key}: unknown field`);

  const text = (key: string, value: unknown, max: number, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${key}: must be a non-empty string`);
      return undefined;
    }
    if (value.trim().length > max) problems.push(`${key}: must be at most ${max} characters`);
    return value.trim();
  };
  const name = text('name', record.name, LIMITS.name, true);
  const description = text('description', record.description, MAX_DESCRIPTION_LENGTH, true);
  const notice = text('notice', record.notice, LIMITS.notice, false);
  const shipping = text('shipping', record.shipping, LIMITS.shipping, true);
  const returns = text('returns', record.returns, LIMITS.returns, true);

  const contact: { email?: string; url?: string } = {};
  const rawContact = record.contact;
  if (typeof rawContact !== 'object' || rawContact === null || Array.isArray(rawContact)) {
    problems.push('contact: must be an object with email, url or both');
  } else {
    const entries = rawContact as Record<string, unknown>;
    for (const key of Object.keys(entries)) {
      if (!CONTACT_KEYS.has(key)) problems.push(`contact.${key}: unknown field`);
    }
    if (entries.email !== undefined) {
      if (typeof entries.email === 'string' && EMAIL_PATTERN.test(entries.email.trim())) {
        contact.email = entries.email.trim();
      } else {
        problems.push('contact.email: must be an e-mail address');
      }
    }
    if (entries.url !== undefined) {
      if (typeof entries.url === 'string' && isWebAddress(entries.url.trim()))
        contact.url = entries.url.trim();
      else problems.push('contact.url: must be an http(s) address, e.g. https://example.com/contact');
    }
    if (entries.email === undefined && entries.url === undefined) {
      problems.push('contact: needs email, url or both (customers must be able to reach the shop)');
    }
  }

  if (problems.length > 0 || !name || !description || !shipping || !returns) {
    throw new ShopConfigError(source, problems);
  }
  return { name, description, ...(notice ? { notice } : {}), shipping, returns, contact };
}

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `example.com/contact` for `https://example.com/contact/`: a link text a customer can read. */
export function displayAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
}
