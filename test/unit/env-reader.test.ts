import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from '../../src/config';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-key-AbCdEf';

describe('EnvReader.secret', () => {
  it('resolves a Secrets Manager ARN through the resolver it was given', async () => {
    const asked: string[] = [];
    const reader = new EnvReader({ STRIPE_SECRET_KEY: ARN }, async (reference) => {
      asked.push(reference);
      return 'sk_test_resolved';
    });
    expect(await reader.secret('STRIPE_SECRET_KEY')).toBe('sk_test_resolved');
    expect(asked).toEqual([ARN]);
  });

  it('returns a plain value as it is, without asking the resolver', async () => {
    const reader = new EnvReader({ STRIPE_SECRET_KEY: 'sk_test_plain' }, async () => {
      throw new Error('must not be called');
    });
    expect(await reader.secret('STRIPE_SECRET_KEY')).toBe('sk_test_plain');
  });

  it('refuses a secret reference with a ConfigError naming the variable when it has no resolver', async () => {
    const reader = new EnvReader({ STRIPE_SECRET_KEY: ARN });
    const failure = reader.secret('STRIPE_SECRET_KEY');
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/STRIPE_SECRET_KEY/);
  });
});
