import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../server/realtime/gateway';

// The address anonymous sockets' limits are keyed by: the connection's, or, behind TRUST_PROXY
// proxies, the X-Forwarded-For entry that many hops back (a client cannot pick its own key by
// sending the header itself).
describe('clientAddress', () => {
  const handshake = (xff?: string) => ({ address: '10.0.0.9', headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });

  it('is the connection when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress(handshake('6.6.6.6'))).toBe('10.0.0.9');
  });

  it('takes the entry the trusted hops put there, not one the client wrote before them', () => {
    expect(clientAddress(handshake('1.2.3.4'), 1)).toBe('1.2.3.4');
    // The client sent "X-Forwarded-For: 6.6.6.6"; the one proxy appended its real address.
    expect(clientAddress(handshake('6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientAddress(handshake('6.6.6.6, 1.2.3.4, 10.0.0.5'), 2)).toBe('1.2.3.4');
  });

  it('falls back to the farthest address known when the header is shorter than the hops', () => {
    expect(clientAddress(handshake(), 1)).toBe('10.0.0.9');
    expect(clientAddress(handshake('1.2.3.4'), 3)).toBe('1.2.3.4');
  });
});
