import { createHmac } from 'node:crypto';

/**
 * Turns a client IP address into a stable, keyed pseudonym for rate-limit keys: the table never
 * holds a raw address, and without the key the pseudonym cannot be reversed by hashing every IPv4.
 */
export function createClientKeyer(secret: Buffer): (ip: string) => string {
  const key = createHmac('sha256', secret).update('client-key-v1').digest();
  return (ip) => createHmac('sha256', key).update(ip).digest().subarray(0, 16).toString('base64url');
}
