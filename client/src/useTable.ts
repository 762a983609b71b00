import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { createTableFeed, type ChatMessage, type EquityFrame, type FeedOutcome, type PrivateFrame, type TableFrame, type TableNotice, type TableSnapshot } from '@protocol';
import { applyEquity, applyFrame, dropFlight, fromSnapshot, handNumberOf, type TableState } from './tableState';
import { cashOutAtClose, closedText } from './tableFlow';
import { getSocket, send, socketGeneration } from './socket';
import { refreshBalance, toast } from './store';

// One watched table: `table:watch` for the first snapshot, then the table feed
// (server/protocol/table-feed.ts) folds each frame onto the view; a
// `table:snapshot` only when the feed says frames were missed (or the epoch
// changed), and a fresh watch after every reconnect (with the hand we last saw,
// so the server can say it was cancelled).

const chatMax = 100;
const flightMs = 900;

export interface TableHandle {
  state: TableState | null;
  /** Why the table cannot be shown (it closed while open here, too: then `closed`). */
  error: string | null;
  /** The table is closed: the page shows `error` and nothing to click. */
  closed: boolean;
  chat: ChatMessage[];
  /**
   * Connected and watching the table again since the last (re)connect: what this page sends (a chat
   * line) reaches the table. A line sent before the watch is answered could be refused as from a
   * socket that does not watch.
   */
  live: boolean;
  /**
   * Puts a chat line of yours that the table took into the list, unless its broadcast is there
   * already (by `chatId`): one whose broadcast this page missed (sent again after no answer, the
   * first send having gone while the page was away) still shows.
   */
  addOwnChat: (message: ChatMessage) => void;
  /** Asks for a snapshot; resolves once it is applied (or refused). */
  resync: () => Promise<void>;
  /**
   * A request was answered `table/closed`: that is a closed table, or one closing at the end of
   * the hand (a sit, top-up or waiting-list join). A snapshot tells which.
   */
  closedAnswer: () => void;
}

export function useTable(tableId: number): TableHandle {
  const [state, setState] = useState<TableState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [closed, setClosed] = useState(false);
  const [chat, setChat] = useState<ChatMessage[]>([]);
  const [live, setLive] = useState(false);
  const ref = useRef<TableState | null>(null);
  const feed = useRef(createTableFeed()).current;
  const resyncing = useRef<Promise<void> | null>(null);
  const generation = useSyncExternalStore(subscribeNever, socketGeneration);

  const commit = useCallback((next: TableState | null) => {
    ref.current = next;
    setState(next);
  }, []);

  const takeSnapshot = useCallback(
    (snapshot: TableSnapshot) => {
      // A snapshot older than what we applied since asking for it is dropped.
      if (!feed.onSnapshot(snapshot)) return;
      commit(fromSnapshot(snapshot, ref.current));
    },
    [commit, feed],
  );

  /** The same page a reload shows for a closed table, with what happened (`message`). */
  const close = useCallback((message: string) => {
    setClosed(true);
    setError(message);
  }, []);

  const resync = useCallback((): Promise<void> => {
    if (resyncing.current) return resyncing.current;
    resyncing.current = send<'table:snapshot', { snapshot: TableSnapshot }>('table:snapshot', { tableId }).then((ack) => {
      resyncing.current = null;
      if (ack.ok) takeSnapshot(ack.snapshot);
      else if (ack.error.code === 'table/closed' || ack.error.code === 'table/not_found') close(ack.error.message);
    });
    return resyncing.current;
  }, [tableId, takeSnapshot, close]);

  const closedAnswer = useCallback(() => {
    void resync().then(() => {
      // Still answering snapshots: the table closes at the end of the hand.
      if (ref.current && !ref.current.closing) commit({ ...ref.current, closing: true });
    });
  }, [resync, commit]);

  useEffect(() => {
    const socket = getSocket();
    let alive = true;
    const watch = () => {
      const lastHandId = ref.current?.view.handId ?? undefined;
      void send<'table:watch', { snapshot: TableSnapshot; cancelledHandId?: string }>('table:watch', { tableId, ...(lastHandId ? { lastHandId } : {}) }).then((ack) => {
        if (!alive) return;
        if (!ack.ok) {
          if (ack.error.code === 'table/closed') setClosed(true);
          setError(ack.error.message);
          return;
        }
        setClosed(false);
        setError(null);
        setLive(true);
        feed.reset(); // a re-watch always replaces the state
        takeSnapshot(ack.snapshot);
        if (ack.cancelledHandId) toast(`Hand #${handNumberOf(ack.cancelledHandId) ?? ack.cancelledHandId} was cancelled; every stack is as it was before it.`, 'warning');
      });
    };
    const onFrame = (frame: TableFrame) => {
      if (frame.tableId === tableId) onOutcome(feed.onFrame(frame));
    };
    const onPrivate = (frame: PrivateFrame) => {
      if (frame.tableId === tableId) onOutcome(feed.onPrivate(frame));
    };
    const onOutcome = (outcome: FeedOutcome) => {
      const current = ref.current;
      if (!current) return;
      if (outcome.kind === 'resync') return void resync();
      if (outcome.kind === 'stale') return;
      const next = applyFrame(current, outcome, feed.seq);
      commit(next);
      scheduleFlights(next, current);
      // A seat with no player metadata yet (who sits there): the snapshot has it.
      if (next.view.seats.some((x, i) => x !== null && !next.players.some((p) => p.seat === i))) resyncSoon(300);
      if (outcome.events.some((e) => e.type === 'hand_settled')) void refreshBalance();
    };
    let resyncTimer: ReturnType<typeof setTimeout> | null = null;
    const resyncSoon = (delayMs: number) => {
      if (resyncTimer) clearTimeout(resyncTimer);
      resyncTimer = setTimeout(resync, delayMs);
    };
    const scheduleFlights = (next: TableState, prev: TableState) => {
      for (const f of next.flights) {
        if (prev.flights.some((p) => p.id === f.id)) continue;
        setTimeout(() => ref.current && commit(dropFlight(ref.current, f.id)), flightMs);
      }
    };
    const onEquity = (frame: EquityFrame) => {
      if (frame.tableId === tableId && ref.current) commit(applyEquity(ref.current, frame));
    };
    const onChat = (message: ChatMessage) => {
      if (message.tableId === tableId) setChat((list) => withChat(list, message));
    };
    const onNotice = (notice: TableNotice) => {
      if (notice.tableId !== tableId) return;
      const kind = notice.kind;
      if (kind === 'closed') return close(closedText(cashedOutOf(notice) ?? (ref.current ? cashOutAtClose(ref.current) : null)));
      if (kind === 'closing') {
        if (ref.current) commit({ ...ref.current, closing: true });
        return;
      }
      const toastKind = notice.kind === 'resumed' || notice.kind === 'seat_offered' ? 'success' : notice.kind === 'info' || notice.kind === 'waitlist' ? 'info' : notice.kind === 'removed' ? 'error' : 'warning';
      toast(notice.message, toastKind);
      if (ref.current && (notice.kind === 'paused' || notice.kind === 'resumed')) commit({ ...ref.current, paused: notice.kind === 'paused' });
      if (notice.kind !== 'info') void resync();
    };
    socket.on('table:frame', onFrame);
    socket.on('table:private', onPrivate);
    socket.on('table:equity', onEquity);
    socket.on('table:chat', onChat);
    socket.on('table:notice', onNotice);
    const onDisconnect = () => setLive(false);
    socket.on('connect', watch);
    socket.on('disconnect', onDisconnect);
    if (socket.connected) watch();
    return () => {
      alive = false;
      if (resyncTimer) clearTimeout(resyncTimer);
      socket.off('table:frame', onFrame);
      socket.off('table:private', onPrivate);
      socket.off('table:equity', onEquity);
      socket.off('table:chat', onChat);
      socket.off('table:notice', onNotice);
      socket.off('connect', watch);
      socket.off('disconnect', onDisconnect);
      setLive(false);
      if (socket.connected) void send('table:unwatch', { tableId });
    };
  }, [tableId, generation, commit, resync, takeSnapshot, feed, close]);

  const addOwnChat = useCallback((message: ChatMessage) => setChat((list) => withChat(list, message)), []);

  return { state, error, closed, chat, live, addOwnChat, resync, closedAnswer };
}

/** The list with `message` last, unless a line of the same sender and `chatId` is in it already. */
function withChat(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  if (message.chatId !== undefined && list.some((m) => m.userId === message.userId && m.chatId === message.chatId)) return list;
  return [...list.slice(-(chatMax - 1)), message];
}

/** The notice's `cashedOut` (the viewer's chips back to the wallet), when the server sends one. */
function cashedOutOf(notice: TableNotice): number | null {
  const amount = (notice as { cashedOut?: unknown }).cashedOut;
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount >= 0 ? amount : null;
}

function subscribeNever(): () => void {
  return () => {};
}
