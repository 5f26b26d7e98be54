import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiHandler } from '../src/http/route';
import { closeServer, listen, readBody } from './listen';

/** Bodies above this are refused by the local server itself (API Gateway's own limit is 10 MB). */
const MAX_LOCAL_BODY_BYTES = 1024 * 1024;

/** A route of the local server: a Lambda handler, or a plain Node handler (static pages). */
export type LocalRoute =
  | { readonly kind: 'lambda'; readonly handler: ApiHandler }
  | {
      readonly kind: 'node';
      readonly handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
    };

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * An HTTP server that turns each request into an API Gateway REST proxy event, calls the same
 * Lambda handler code as AWS, and writes the proxy result back: the local stack's edge.
 */
export async function startLocalApi(options: {
  readonly routes: ReadonlyMap<string, LocalRoute>;
  readonly port?: number;
  readonly host?: string;
}): Promise<LocalApi> {
  const server = createServer((req, res) => {
    handle(options.routes, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Local server error.' } }));
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    server,
    close: () => closeServer(server),
  };
}

async function handle(routes: ReadonlyMap<string, LocalRoute>, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routes.get(url.pathname);
  if (!route) {
    // As API Gateway answers an unknown route (decision #37): the contract's body, with a request id.
    writeJson(res, 404, {
      error: { code: 'not_found', message: 'No such route.' },
      requestId: `local-${randomUUID()}`,
    });
    return;
  }
  if (route.kind === 'node') {
    await route.handler(req, res);
    return;
  }
  const body = await readBody(req, MAX_LOCAL_BODY_BYTES);
  if (body === null) {
    writeJson(res, 413, { error: { code: 'payload_too_large', message: 'The request body is too large.' } });
    return;
  }
  const result = await route.handler(toProxyEvent(req, url, body));
  writeProxyResult(res, result);
}

/** Builds the REST API (v1) proxy event API Gateway would send for this request. */
export function toProxyEvent(req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  // API Gateway passes text bodies as strings and others base64-encoded; do the same by content.
  const text = body.length === 0 ? null : decodeUtf8(body);
  const method = req.method ?? 'GET';
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return {
    resource: url.pathname,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: url.searchParams.size > 0 ? query : null,
    multiValueQueryStringParameters: url.searchParams.size > 0 ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body.length === 0 ? null : (text ?? body.toString('base64')),
    isBase64Encoded: body.length > 0 && text === null,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: url.pathname,
      identity: proxyIdentity(sourceIp, req.headers['user-agent'] ?? null),
    },
  };
}

/** The caller as API Gateway describes it in a REST proxy event: only the address and user agent are known. */
export function proxyIdentity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

function decodeUtf8(body: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

function writeProxyResult(res: ServerResponse, result: APIGatewayProxyResult) {
  const headers: Record<string, string | number | boolean | string[]> = { ...result.headers };
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  res.writeHead(result.statusCode, headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

function writeJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
