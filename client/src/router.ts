import { useSyncExternalStore } from 'react';

// History-API routing over a handful of paths; the server answers every
// non-API GET with index.html, so deep links work.

export type Route =
  | { name: 'lobby' }
  | { name: 'login'; mode: 'login' | 'signup' }
  | { name: 'table'; tableId: number }
  | { name: 'tables' }
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
  // Several tables in one window; which ones is in the query (`?ids=1,2`, see multiTable.ts).
  if (pathname === '/tables') return { name: 'tables' };
  const table = /^\/table\/(\d{1,9})$/.exec(pathname);
  if (table) return { name: 'table', tableId: Number(table[1]) };
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Pushes `path` (which may carry a query) unless the page is already there. */
export function navigate(path: string): void {
  if (path === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', path);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

/** Swaps the query of the current entry without a new history entry (a page's own state kept in its URL). */
export function replaceSearch(search: string): void {
  const next = window.location.pathname + search;
  if (next === window.location.pathname + window.location.search) return;
  window.history.replaceState(null, '', next);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}
