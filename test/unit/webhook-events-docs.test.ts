import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS } from '../../src/adapters/stripe/webhook-events';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

/** The text of a Markdown section, from its heading to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const level = /^#+/.exec(heading)?.[0] ?? '#';
  const rest = markdown.slice(start + heading.length);
  const end = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** Every Stripe event name the text mentions (`checkout.session.completed`, `charge.refunded`, …). */
function eventNames(text: string): Set<string> {
  return new Set(text.match(/\b(?:checkout\.session|charge\.dispute|charge|refund)\.[a-z_]+\b/g) ?? []);
}

describe('the webhook events in the docs', () => {
  it('are exactly the list the stack exports and doctor checks, in the deploy guide and the API reference', () => {
    const expected = new Set<string>(WEBHOOK_EVENTS);
    const guide = section(read('docs/deploy.md'), '## 7. Register the Stripe webhook endpoint');
    expect(eventNames(guide)).toEqual(expected);
    // The API call registers each of them, and nothing else.
    expect(new Set([...guide.matchAll(/enabled_events\[\]=([a-z_.]+)/g)].map((m) => m[1]))).toEqual(expected);
    expect(eventNames(section(read('docs/api.md'), '## `POST /stripe/webhook`'))).toEqual(expected);
  });
});
