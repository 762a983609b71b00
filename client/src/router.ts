import { useSyncExternalStore } from 'react';

// History-API routing over a handful of paths; the server answers every
// non-API GET with index.html, so deep links work.

export type Route =
  | { name: 'lobby' }
  | { name: 'login'; mode: 'login' | 'signup' }
  | { name: 'table'; tableId: number }
  | { name: 'wallet' }
  | { name: 'admin' }
  | { name: 'history' }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'lobby' };
  if (pathname === '/login') return { name: 'login', mode: 'login' };
  if (pathname === '/signup') return { name: 'login', mode: 'signup' };
  if (pathname === '/wallet') return { name: 'wallet' };
  if (pathname === '/admin') return { name: 'admin' };
  if (pathname === '/hands') return { name: 'history' };
  const table = /^\/table\/(\d{1,9})$/.exec(pathname);
  if (table) return { name: 'table', tableId: Number(table[1]) };
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

export function usePath(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => window.location.pathname,
  );
}
