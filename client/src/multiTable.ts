import { useSyncExternalStore } from 'react';
import { navigate, replaceSearch } from './router';

// The tables open together in one window (issue 13, "Several tables at once").
// The URL says which: `/tables?ids=1,2`, so a reload or a bookmark opens the same
// set. The last set is also remembered for the window (sessionStorage), so the
// lobby's "Add" puts a table beside the ones already open rather than alone.

/**
 * Tables open at once, at most. Each is a live feed, a felt and an action bar; past
 * four the tiles are too small to play and the turns too many to follow. Adding
 * one more is refused with a message (the Add buttons say so too).
 */
export const TABLES_OPEN_MAX = 4;

const storageKey = 'atomic-poker.open-tables';
const listeners = new Set<() => void>();
let remembered: readonly number[] = readRemembered();

/** The ids in `?ids=3,1`: positive integers, first occurrence kept, at most TABLES_OPEN_MAX. */
export function parseTableIds(search: string): number[] {
  const raw = new URLSearchParams(search).get('ids') ?? '';
  const ids: number[] = [];
  for (const part of raw.split(',')) {
    if (!/^\d{1,9}$/.test(part.trim())) continue;
    const id = Number(part.trim());
    if (id > 0 && !ids.includes(id)) ids.push(id);
  }
  return ids.slice(0, TABLES_OPEN_MAX);
}

export function tablesHref(ids: readonly number[]): string {
  return ids.length === 0 ? '/' : `/tables?ids=${ids.join(',')}`;
}

function readRemembered(): number[] {
  try {
    return parseTableIds(`?ids=${sessionStorage.getItem(storageKey) ?? ''}`);
  } catch {
    return [];
  }
}

/** Keeps `ids` as this window's open set (the multi-table page calls it whenever its set changes). */
export function rememberOpenTables(ids: readonly number[]): void {
  if (ids.join(',') === remembered.join(',')) return;
  remembered = [...ids];
  try {
    sessionStorage.setItem(storageKey, ids.join(','));
  } catch {
    // storage refused (private mode): the set lives in the URL only
  }
  for (const l of listeners) l();
}

export function useRememberedTables(): readonly number[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => remembered,
  );
}

export type AddResult = { ok: true; ids: number[] } | { ok: false; reason: string };

/** `open` with `tableId` added at the end (already open: unchanged), or why not. */
export function withTable(open: readonly number[], tableId: number): AddResult {
  if (open.includes(tableId)) return { ok: true, ids: [...open] };
  if (open.length >= TABLES_OPEN_MAX) return { ok: false, reason: `At most ${TABLES_OPEN_MAX} tables can be open at once; close one first.` };
  return { ok: true, ids: [...open, tableId] };
}

/** Opens the multi-table page on `ids` (a new history entry: Back returns to where the player was). */
export function openTables(ids: readonly number[]): void {
  rememberOpenTables(ids);
  navigate(tablesHref(ids));
}

/** Changes the set shown by the multi-table page in place (adding or closing a tile). */
export function showTables(ids: readonly number[]): void {
  rememberOpenTables(ids);
  if (ids.length === 0) return navigate('/');
  replaceSearch(`?ids=${ids.join(',')}`);
}
