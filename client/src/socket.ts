import { io, type Socket } from 'socket.io-client';
import { useSyncExternalStore } from 'react';
import type { Ack, ClientMessage, ClientMessageName, ErrorBody } from '@protocol';

// One Socket.IO connection for the whole app, authenticated by the session
// cookie. Login and logout reconnect it so the server sees the new identity.

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting';

let socket: Socket | null = null;
let status: ConnectionStatus = 'connecting';
let generation = 0;
const listeners = new Set<() => void>();
const ackTimeoutMs = 10_000;

function setStatus(next: ConnectionStatus): void {
  if (next === status) return;
  status = next;
  for (const l of listeners) l();
}

export function getSocket(): Socket {
  if (socket) return socket;
  const s = io({ transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 3_000 });
  s.on('connect', () => setStatus('connected'));
  s.on('disconnect', (reason) => {
    setStatus('reconnecting');
    // Closed by the server (the session ended, or the connection kept sending past its rate
    // limit): Socket.IO does not reconnect by itself after that, so reconnect after a pause.
    if (reason === 'io server disconnect') setTimeout(() => { if (!s.connected && !s.active) s.connect(); }, 1_000);
  });
  s.on('connect_error', () => setStatus(s.active ? 'reconnecting' : 'connecting'));
  socket = s;
  return s;
}

/** Reopens the socket, after the session cookie changed (login, signup, logout). */
export function reconnectSocket(): void {
  if (!socket) return;
  generation += 1;
  socket.disconnect();
  setStatus('connecting');
  socket.connect();
  for (const l of listeners) l();
}

export function socketGeneration(): number {
  return generation;
}

export function useConnectionStatus(): ConnectionStatus {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => status,
  );
}

/**
 * `timedOut`: no answer came in time (ackTimeoutMs), so whether the message took effect is not
 * known: it may yet reach the server (Socket.IO sends what it buffered when it reconnects).
 */
export type AckResult<T extends object> = ({ ok: true } & T) | { ok: false; error: ErrorBody; timedOut?: true };

/** Emits a client message and resolves with its acknowledgement (or a time-out error). */
export function send<N extends ClientMessageName, T extends object = object>(name: N, payload: ClientMessage<N>): Promise<AckResult<T>> {
  const s = getSocket();
  return new Promise((resolve) => {
    s.timeout(ackTimeoutMs).emit(name, payload, (err: Error | null, ack: Ack<T>) => {
      if (err) resolve({ ok: false, error: { code: 'internal', message: 'The server did not answer in time.' }, timedOut: true });
      else resolve(ack as AckResult<T>);
    });
  });
}
