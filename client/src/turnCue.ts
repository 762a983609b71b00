import { useEffect, useRef, useSyncExternalStore } from 'react';

// The your-turn cue that names the table: the tab title, and (when the player
// asked for it and the page is hidden) a browser notification. One place for
// both, used by the single table page and by the multi-table page alike.

/** What a table page tells the cue about itself. */
export interface TableTurn {
  tableId: number;
  name: string;
  /** The action is on you here. */
  myTurn: boolean;
  /** You hold a seat here (closing the tile would leave it unattended). */
  seated: boolean;
}

/** The tab title: which table(s) need you, else `idle`. */
export function turnTitle(turns: readonly TableTurn[], idle: string): string {
  const waiting = turns.filter((t) => t.myTurn);
  if (waiting.length === 0) return idle;
  if (waiting.length === 1) return `● Your turn — ${waiting[0]!.name}`;
  return `● Your turn at ${waiting.length} tables — ${waiting.map((t) => t.name).join(', ')}`;
}

const notifyKey = 'atomic-poker.notify-turn';
const listeners = new Set<() => void>();
let notifyWanted = readNotifyWanted();

function readNotifyWanted(): boolean {
  try {
    return localStorage.getItem(notifyKey) === '1';
  } catch {
    return false;
  }
}

function setNotifyWanted(next: boolean): void {
  notifyWanted = next;
  try {
    localStorage.setItem(notifyKey, next ? '1' : '0');
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  for (const l of listeners) l();
}

function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** On only when the player asked for it and the browser still allows it. */
export function useNotifyTurn(): boolean {
  const wanted = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => notifyWanted,
  );
  return wanted && notificationsSupported() && Notification.permission === 'granted';
}

/**
 * The toggle's click: switching on asks the browser for permission (only ever from
 * this user gesture); the answer is remembered. Returns a sentence when it cannot
 * be switched on.
 */
export async function toggleNotifyTurn(on: boolean): Promise<string | null> {
  if (!on) {
    setNotifyWanted(false);
    return null;
  }
  if (!notificationsSupported()) return 'This browser cannot show notifications.';
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted') {
    setNotifyWanted(false);
    return "Notifications are blocked for this site; allow them in the browser's site settings.";
  }
  setNotifyWanted(true);
  return null;
}

function notify(turn: TableTurn, onPick: (tableId: number) => void): void {
  try {
    const notification = new Notification(`Your turn — ${turn.name}`, {
      body: `The action is on you at ${turn.name}.`,
      // One notification per table: a newer turn replaces the last one.
      tag: `atomic-poker-turn-${turn.tableId}`,
    });
    notification.onclick = () => {
      window.focus();
      onPick(turn.tableId);
      notification.close();
    };
  } catch {
    // Some browsers only notify from a service worker; the title still says it.
  }
}

/**
 * Keeps the tab title on whose turn it is (`idle` when no table needs you; null: the
 * title is someone else's) and, while the page is hidden and the player switched
 * notifications on, notifies once each time a table's turn comes. `onPick`: the
 * notification was clicked (show that table).
 */
export function useTurnCue(turns: readonly TableTurn[], idle: string | null, onPick: (tableId: number) => void = () => {}): void {
  const notifyOn = useNotifyTurn();
  const title = idle === null ? null : turnTitle(turns, idle);
  const before = useRef(new Set<number>());
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    if (title !== null) document.title = title;
  }, [title]);

  const key = turns.map((t) => `${t.tableId}:${t.myTurn ? 1 : 0}`).join(',');
  useEffect(() => {
    const now = new Set(turns.filter((t) => t.myTurn).map((t) => t.tableId));
    const fresh = turns.filter((t) => t.myTurn && !before.current.has(t.tableId));
    before.current = now;
    if (!notifyOn || !document.hidden) return;
    for (const turn of fresh) notify(turn, (id) => pick.current(id));
  }, [key, notifyOn]);
}
