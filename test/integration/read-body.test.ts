import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen, readBody } from '../../local/listen';

// A server answering with what readBody gave it: the length read, or 413 past 16 bytes.
const server = http.createServer(async (req, res) => {
  const body = await readBody(req, 16);
  res.writeHead(body === null ? 413 : 200).end(body === null ? 'too large' : `read ${body.length}`);
});
let url: string;
beforeAll(async () => {
  url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
});
afterAll(() => closeServer(server));

describe('readBody (the local servers)', () => {
  it('reads a body up to the limit whole', async () => {
    const response = await fetch(url, { method: 'POST', body: 'x'.repeat(16) });
    expect([response.status, await response.text()]).toEqual([200, 'read 16']);
  });

  it('refuses a body past the limit and still answers', async () => {
    const response = await fetch(url, { method: 'POST', body: 'x'.repeat(64 * 1024) });
    expect([response.status, await response.text()]).toEqual([413, 'too large']);
  });
});
