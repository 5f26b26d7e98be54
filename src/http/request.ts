import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as v from 'valibot';
import { type ErrorDetail, httpErrors } from './http-error';

/** Bodies above this are refused before parsing (the routes' requests are a few hundred bytes). */
export const MAX_BODY_BYTES = 16 * 1024;

/** A header's value, looked up case-insensitively (API Gateway keeps the client's spelling). */
export function headerOf(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/** The raw body as bytes, decoded when API Gateway marks it base64. */
export function rawBodyOf(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Reads a JSON request body: the content type must be JSON (415), the body at most
 * {@link MAX_BODY_BYTES} (413) and well-formed UTF-8 JSON (400 `invalid_json`).
 */
export function readJsonBody(event: APIGatewayProxyEvent, maxBytes = MAX_BODY_BYTES): unknown {
  const contentType = headerOf(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw httpErrors.unsupportedMediaType();
  // The encoded length bounds the decoded one, so an oversized body is refused before decoding.
  if ((event.body?.length ?? 0) > (event.isBase64Encoded ? Math.ceil(maxBytes / 3) * 4 : maxBytes)) {
    throw httpErrors.payloadTooLarge(maxBytes);
  }
  const bytes = rawBodyOf(event);
  if (bytes.length > maxBytes) throw httpErrors.payloadTooLarge(maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw httpErrors.invalidJson();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw httpErrors.invalidJson();
  }
}

/**
 * Checks a request body against its schema: the parsed body, or a 400 `validation_error` whose
 * details are in the project's words (see {@link detailsOfIssues}). An array is never a body.
 */
export function parseRequestBody<const S extends v.GenericSchema>(
  schema: S,
  body: unknown,
  allowedFields: Readonly<Record<string, readonly string[]>>,
): v.InferOutput<S> {
  if (Array.isArray(body)) throw httpErrors.validation([{ message: 'the body must be a JSON object' }]);
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) throw httpErrors.validation(detailsOfIssues(parsed.issues, allowedFields));
  return parsed.output;
}

/**
 * Turns schema issues into `validation_error` details with dotted paths (`items[0].quantity`), in the
 * project's words: a field the request does not have is named as such, never in the validator's
 * terms ("Expected never but received …").
 */
export function detailsOfIssues(
  issues: readonly v.BaseIssue<unknown>[],
  allowedFields: Readonly<Record<string, readonly string[]>> = {},
): ErrorDetail[] {
  return issues.slice(0, 20).map((issue) => {
    let path = '';
    let parent = '';
    for (const item of issue.path ?? []) {
      parent = path;
      const key = item.key;
      path += typeof key === 'number' ? `[${key}]` : path ? `.${String(key)}` : String(key);
    }
    if (issue.kind === 'schema' && issue.type === 'strict_object' && path) {
      const field = path.slice(parent.length).replace(/^\./, '');
      if (issue.expected !== 'never') return { path, message: `${field} is required` };
      const allowed = allowedFields[parent.replace(/\[\d+\]/g, '[]')];
      const message = allowed
        ? `${field} is not a field of this request; allowed: ${allowed.join(', ')}`
        : `${field} is not a field of this request`;
      return { path, message };
    }
    return path ? { path, message: issue.message } : { message: issue.message };
  });
}

/** The caller's address as API Gateway saw it; headers such as X-Forwarded-For are never trusted. */
export function clientIpOf(event: APIGatewayProxyEvent): string {
  return event.requestContext?.identity?.sourceIp ?? 'unknown';
}
