import type { HoldCode } from '../../app/ports';
import type { TransactWriteItem as TransactItem } from './table-client';
import { keys } from './table-items';

/**
 * What a hold does to a discount code's counts, as actions of the hold's own transaction (the hold's
 * item is the marker that makes each happen once):
 *
 * - `take`: one more use held, if the code is enabled, within its dates and `claimed` (used + held)
 *   is below its limit; and, with a per-email limit, the same on that email's count;
 * - `release`: the held use given back;
 * - `sell`: the held use becomes used;
 * - `sell_unheld`: a paid session whose hold was already gone: one more use, whatever the limit
 *   (the customer paid with the code; counted by outcome).
 *
 * The global count is the action at index 0 of the returned list, the email's (if any) at index 1.
 */
export function codeHoldActions(
  tableName: string,
  code: HoldCode,
  kind: 'take' | 'release' | 'sell' | 'sell_unheld',
  now: number,
): TransactItem[] {
  const change = CHANGES[kind];
  const global: TransactItem = {
    Update: {
      TableName: tableName,
      Key: keys.code(code.code),
      UpdateExpression: change.expression,
      ConditionExpression:
        kind === 'take'
          ? 'enabled = :true AND (attribute_not_exists(useLimit) OR claimed < useLimit) AND ' +
            '(attribute_not_exists(endsAt) OR endsAt > :now) AND (attribute_not_exists(startsAt) OR startsAt <= :now)'
          : 'attribute_exists(PK)',
      ExpressionAttributeValues: {
        ...change.values,
        ...(kind === 'take' ? { ':true': true, ':now': now } : {}),
      },
    },
  };
  if (code.emailKey === null) return [global];
  const perEmail: TransactItem = {
    Update: {
      TableName: tableName,
      Key: keys.codeEmail(code.code, code.emailKey),
      // The email's item is made by its first hold.
      UpdateExpression: `${change.emailExpression}, #type = :type, updatedAt = :now`,
      ...(kind === 'take' && code.limitPerEmail !== null
        ? { ConditionExpression: 'attribute_not_exists(claimed) OR claimed < :perEmail' }
        : {}),
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ...change.values,
        ':zero': 0,
        ':type': 'code-email',
        ':now': now,
        ...(kind === 'take' && code.limitPerEmail !== null ? { ':perEmail': code.limitPerEmail } : {}),
      },
    },
  };
  return [global, perEmail];
}

const counted = (attribute: string, sign: '+' | '-') =>
  `${attribute} = if_not_exists(${attribute}, :zero) ${sign} :one`;

const CHANGES = {
  take: {
    expression: 'SET held = held + :one, claimed = claimed + :one',
    emailExpression: `SET ${counted('held', '+')}, ${counted('claimed', '+')}`,
    values: { ':one': 1 },
  },
  release: {
    expression: 'SET held = held - :one, claimed = claimed - :one',
    emailExpression: `SET ${counted('held', '-')}, ${counted('claimed', '-')}`,
    values: { ':one': 1 },
  },
  sell: {
    expression: 'SET held = held - :one, used = used + :one',
    emailExpression: `SET ${counted('held', '-')}, ${counted('used', '+')}`,
    values: { ':one': 1 },
  },
  sell_unheld: {
    expression: 'SET used = used + :one, claimed = claimed + :one',
    emailExpression: `SET ${counted('used', '+')}, ${counted('claimed', '+')}`,
    values: { ':one': 1 },
  },
} as const;
