import { useSyncExternalStore } from 'react';
import { api, type User, type WalletResponse } from './api';
import { formatChips } from './money';
import { getSocket, reconnectSocket } from './socket';

// App-wide state that is not a table: who is logged in, the wallet balance
// (kept fresh by `wallet:balance` pushes) and the toasts.

function createStore<T>(initial: T) {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next: T | ((prev: T) => T)) {
      value = typeof next === 'function' ? (next as (prev: T) => T)(value) : next;
      for (const l of listeners) l();
    },
    use(): T {
      return useSyncExternalStore(
        (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        () => value,
      );
    },
  };
}

export interface Session {
  loaded: boolean;
  user: User | null;
  balance: number | null;
}

export const session = createStore<Session>({ loaded: false, user: null, balance: null });

export async function loadSession(): Promise<void> {
  try {
    const me = await api<{ user: User }>('GET', '/api/auth/me');
    session.set({ loaded: true, user: me.user, balance: session.get().balance });
    await refreshBalance();
  } catch {
    session.set({ loaded: true, user: null, balance: null });
  }
}

export async function refreshBalance(): Promise<void> {
  if (!session.get().user) return;
  try {
    const wallet = await api<WalletResponse>('GET', '/api/wallet');
    session.set((s) => ({ ...s, balance: wallet.balance }));
  } catch {
    // the header keeps the last known balance
  }
}

export async function signedIn(user: User): Promise<void> {
  session.set({ loaded: true, user, balance: null });
  reconnectSocket();
  await refreshBalance();
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout', {});
  } finally {
    session.set({ loaded: true, user: null, balance: null });
    reconnectSocket();
  }
}

/**
 * When the server closes the socket (the session ended: a logout elsewhere, a password change,
 * expiry), the session is looked up again, so the page shows who it is now (socket.ts reconnects).
 */
export function listenForSessionEnd(): void {
  getSocket().on('disconnect', (reason) => {
    if (reason === 'io server disconnect') void loadSession();
  });
}

export function listenForBalance(): void {
  getSocket().on('wallet:balance', (payload: { balance: number; adjustment?: { amount: number; reason: string } }) => {
    session.set((s) => ({ ...s, balance: payload.balance }));
    // An admin changed the balance: say by how much, and why (the reason of the audit trail).
    const a = payload.adjustment;
    if (a) toast(`An admin ${a.amount >= 0 ? 'credited' : 'debited'} your wallet ${formatChips(Math.abs(a.amount))} chips: ${a.reason}`, a.amount >= 0 ? 'info' : 'warning');
  });
}

export type ToastKind = 'info' | 'success' | 'warning' | 'error';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export const toasts = createStore<Toast[]>([]);
let toastId = 0;
const toastMs = 5_000;
const toastsMax = 4;

export function toast(text: string, kind: ToastKind = 'info'): void {
  const id = ++toastId;
  toasts.set((list) => [...list.slice(-(toastsMax - 1)), { id, kind, text }]);
  setTimeout(() => dismissToast(id), toastMs);
}

export function dismissToast(id: number): void {
  toasts.set((list) => list.filter((t) => t.id !== id));
}
