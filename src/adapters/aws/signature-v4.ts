import { createHash, createHmac } from 'node:crypto';

/** AWS credentials: an access key pair, with a session token for temporary ones (Lambda's role). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface RequestToSign {
  readonly method: string;
  /** `host[:port]`, as sent in the `Host` header. */
  readonly host: string;
  /** An absolute path of unreserved characters (`/` for the JSON protocols). */
  readonly path: string;
  /** Headers to sign, names in lower case; `host`, `x-amz-date` and the token are added. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly service: string;
  readonly region: string;
  /** The moment of signing (a signature is valid for 15 minutes around it). */
  readonly date: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNRESERVED_PATH = /^\/[A-Za-z0-9\-._~/]*$/;

/**
 * Signs a request with Signature Version 4, as AWS documents it ("Create a signed AWS API
 * request"): a canonical request of the method, path, headers and the body's SHA-256, signed with
 * a key derived from the secret, the day, the region and the service. Returns the headers to send:
 * the given ones plus `host`, `x-amz-date`, `x-amz-security-token` (temporary credentials) and
 * `authorization`. No query string: the JSON protocols post to a path.
 */
export function signRequest(request: RequestToSign, credentials: AwsCredentials): Record<string, string> {
  if (!UNRESERVED_PATH.test(request.path)) {
    throw new Error(`cannot sign path ${request.path}: only unreserved characters are supported`);
  }
  const amzDate = request.date
    .toISOString()
    .replaceAll(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.host;
  headers['x-amz-date'] = amzDate;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method,
    request.path,
    '',
    ...names.map((name) => `${name}:${String(headers[name]).trim().replaceAll(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac(
    'sha256',
    signingKey(credentials.secretAccessKey, day, request.region, request.service),
  )
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Derived keys by (secret, day, region, service): each changes once a day. */
const derivedKeys = new Map<string, Buffer>();

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${day}/${region}/${service}/${secret}`;
  const cached = derivedKeys.get(id);
  if (cached) return cached;
  const hmac = (key: string | Buffer, data: string) =>
    createHmac('sha256', key).update(data, 'utf8').digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  if (derivedKeys.size >= 8) derivedKeys.clear();
  derivedKeys.set(id, key);
  return key;
}
