import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/adapters/aws/json-client';
import { createSecretsManagerResolver } from '../../src/adapters/secrets-manager';
import { type AwsProxy, startAwsProxy } from '../support/aws-proxy';

const SECRET_KEY = 'secrets-test-key';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cart-checkout/signing-AbCdEf';
const stored: Record<string, Record<string, unknown>> = {
  [ARN]: { ARN, Name: 'cart-checkout/signing', SecretString: '  k1:c2lnbmluZy1rZXk=\n' },
  binary: { ARN: 'binary', SecretBinary: 'AAEC' },
};

let proxy: AwsProxy;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  // Secrets Manager has no local engine: the proxy answers as its API reference documents
  // GetSecretValue, after checking the signature with AWS's own signer.
  proxy = await startAwsProxy({
    secretAccessKey: SECRET_KEY,
    service: 'secretsmanager',
    answer: (operation, body) => {
      received.push({ operation, ...body });
      return stored[String(body.SecretId)] ?? {};
    },
  });
});
afterAll(() => proxy.close());
beforeEach(() => {
  proxy.requests.length = 0;
  received.length = 0;
  proxy.clearFaults();
});

const resolver = () =>
  createSecretsManagerResolver({
    endpoint: proxy.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSECRETS', secretAccessKey: SECRET_KEY, sessionToken: 'role-session' },
  });

describe('Secrets Manager resolver', () => {
  it('reads a secret’s string with a signed GetSecretValue, trimmed', async () => {
    const resolve = resolver();
    expect(await resolve(ARN)).toBe('k1:c2lnbmluZy1rZXk=');
    expect(received).toEqual([{ operation: 'GetSecretValue', SecretId: ARN }]);
    expect(proxy.requests.map((r) => r.signatureValid)).toEqual([true]);
  });

  it('refuses a secret without a string value', async () => {
    await expect(resolver()('binary')).rejects.toThrow('the secret has no string value');
  });

  it('retries a throttled or failing service, and reports a missing secret by its code at once', async () => {
    const resolve = resolver();
    proxy.inject({ kind: 'error', status: 400, code: 'ThrottlingException' });
    proxy.inject({ kind: 'error', status: 503, code: 'ServiceUnavailable' });
    expect(await resolve(ARN)).toBe('k1:c2lnbmluZy1rZXk=');
    expect(proxy.requests.map((r) => r.fault)).toEqual(['error', 'error', null]);

    proxy.requests.length = 0;
    proxy.inject({ kind: 'error', status: 400, code: 'ResourceNotFoundException' });
    const refusal = await resolve(ARN).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(AwsServiceError);
    expect((refusal as AwsServiceError).code).toBe('ResourceNotFoundException');
    expect(proxy.requests).toHaveLength(1);
  });
});
