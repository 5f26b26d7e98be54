import type { APIGatewayProxyEvent } from 'aws-lambda';
import { proxyIdentity } from '../../local/api-server';

let counter = 0;

/** An API Gateway REST proxy event, as API Gateway would build it; override what a test needs. */
export function makeProxyEvent(
  overrides: {
    method?: string;
    path?: string;
    body?: unknown;
    rawBody?: string | null;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    sourceIp?: string;
    isBase64Encoded?: boolean;
  } = {},
): APIGatewayProxyEvent {
  counter += 1;
  const body =
    overrides.rawBody !== undefined
      ? overrides.rawBody
      : overrides.body === undefined
        ? null
        : JSON.stringify(overrides.body);
  const headers = { 'Content-Type': 'application/json', ...overrides.headers };
  return {
    resource: overrides.path ?? '/cart/quote',
    path: overrides.path ?? '/cart/quote',
    httpMethod: overrides.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: overrides.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: overrides.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: overrides.method ?? 'POST',
      path: overrides.path ?? '/cart/quote',
      stage: 'test',
      requestId: `req-${counter}`,
      requestTimeEpoch: 0,
      resourceId: 'test',
      resourcePath: overrides.path ?? '/cart/quote',
      identity: proxyIdentity(overrides.sourceIp ?? '203.0.113.10', 'vitest'),
    },
  };
}
