import { describe, expect, it } from 'vitest';
import { originAllowed } from '../../server/http/origin';

// The same-origin rule of state-changing requests and socket handshakes (server/http/origin.ts);
// the integration tests (http-security.test.ts) drive it through the routes.
describe('originAllowed', () => {
  const allowed = ['https://trusted.example'];

  it('accepts the page of this host, whatever the case of the Host header', () => {
    expect(originAllowed({ origin: 'http://poker.example:3000', host: 'poker.example:3000' }, allowed)).toBe(true);
    expect(originAllowed({ origin: 'http://poker.example:3000', host: 'Poker.Example:3000' }, allowed)).toBe(true);
    expect(originAllowed({ origin: 'https://POKER.example', host: 'poker.EXAMPLE' }, allowed)).toBe(true);
  });

  it('refuses another host, another port, a look-alike and a missing Host', () => {
    expect(originAllowed({ origin: 'http://poker.example:3001', host: 'poker.example:3000' }, allowed)).toBe(false);
    expect(originAllowed({ origin: 'http://poker.example.evil.example', host: 'poker.example' }, allowed)).toBe(false);
    expect(originAllowed({ origin: 'http://evil.example', host: 'EVIL.example.poker.example' }, allowed)).toBe(false);
    expect(originAllowed({ origin: 'http://poker.example' }, allowed)).toBe(false);
    expect(originAllowed({ origin: 'null', host: 'null' }, allowed)).toBe(false);
  });

  it('accepts a configured origin and a request without Origin unless the browser says cross-site', () => {
    expect(originAllowed({ origin: 'https://trusted.example', host: 'poker.example' }, allowed)).toBe(true);
    expect(originAllowed({ host: 'poker.example' }, allowed)).toBe(true);
    expect(originAllowed({ host: 'poker.example', 'sec-fetch-site': 'cross-site' }, allowed)).toBe(false);
  });
});
