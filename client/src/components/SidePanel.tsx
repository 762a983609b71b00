import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import type { ChatMessage } from '@protocol';
import { api, errorText, newChatId, type MyHand, type Page } from '../api';
import { formatChips } from '../money';
import { send } from '../socket';
import { session, toast } from '../store';
import type { TableState } from '../tableState';
import { LiveFairness } from './Fairness';
import { HandViewer, useHand } from './HandViewer';

type Tab = 'chat' | 'log' | 'hands' | 'fair';

/**
 * `live`: the page is connected and watches the table (useTable): while it is not, a chat line
 * waits in the outbox and goes when it is. `onOwnChat` puts a line of yours the table took into the
 * list (useTable's addOwnChat).
 */
export function SidePanel({ state, chat, live, onOwnChat }: { state: TableState; chat: ChatMessage[]; live: boolean; onOwnChat: (message: ChatMessage) => void }) {
  const [tab, setTab] = useState<Tab>('chat');
  // Here, not in the chat tab: a line waiting for the connection outlives a look at the log.
  const outbox = useChatOutbox(state.tableId, live, chat, onOwnChat);
  const tabs: { id: Tab; label: string }[] = [
    { id: 'chat', label: 'Chat' },
    { id: 'log', label: 'Log' },
    { id: 'hands', label: 'Hands' },
    { id: 'fair', label: 'Fairness' },
  ];
  return (
    <aside className="side-panel" aria-label="Table panels">
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button key={t.id} role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} className={tab === t.id ? 'tab active' : 'tab'} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'chat' && <ChatPanel chat={chat} outbox={outbox} live={live} />}
        {tab === 'log' && <LogPanel lines={state.log} />}
        {tab === 'hands' && <HandsPanel tableId={state.tableId} settledKey={state.settled?.handId ?? null} />}
        {tab === 'fair' && <FairnessPanel state={state} />}
      </div>
    </aside>
  );
}

/**
 * A chat line of yours the table has not taken yet: waiting for the connection, on its way, sent
 * with no answer in time (`unknown`: it may have reached the table), or refused.
 */
interface OutgoingLine {
  id: number;
  /** The line's id on the wire (`table:chat`'s `chatId`): the table posts it once, however often it is sent. */
  chatId: string;
  text: string;
  state: 'waiting' | 'sending' | 'unknown' | 'refused';
  problem?: string;
}

interface ChatOutbox {
  lines: OutgoingLine[];
  /** Sends the line now when the page is live, else keeps it to send once it is. */
  post: (text: string) => void;
  retry: (id: number) => void;
  remove: (id: number) => void;
}

/**
 * Your chat lines until the table takes them. A line typed while the connection is down waits
 * here, on screen, and goes (in order) when the page is connected and watching again: before, it
 * stayed in the box with no sign that it had not gone. A refused line stays, with why, to retry or
 * remove. Each line carries an id of its own (`chatId`), the same on every send, and the table posts
 * a line once per id: a line sent as the connection dropped and answered after the page stopped
 * waiting (10 s) is not known to have failed, so it says so ("not confirmed") rather than "Not
 * sent", and its Retry (or the page, once live again) sends the same id, which cannot post it
 * twice. Before, Retry posted it a second time. A line leaves the outbox when its broadcast (by id)
 * or the table's answer comes.
 */
function useChatOutbox(tableId: number, live: boolean, chat: ChatMessage[], onOwnChat: (message: ChatMessage) => void): ChatOutbox {
  const user = session.use().user;
  const [lines, setLines] = useState<OutgoingLine[]>([]);
  const nextId = useRef(1);
  const linesRef = useRef(lines);
  linesRef.current = lines;
  const userRef = useRef(user);
  userRef.current = user;
  /** Changes a line, if it is still there (`null`: takes it out). */
  const update = useCallback((id: number, patch: Partial<OutgoingLine> | null) => {
    setLines((all) => (patch === null ? all.filter((l) => l.id !== id) : all.map((l) => (l.id === id ? { ...l, ...patch } : l))));
  }, []);
  const deliver = useCallback(async (line: OutgoingLine) => {
    update(line.id, { state: 'sending', problem: undefined });
    const ack = await send('table:chat', { tableId, text: line.text, chatId: line.chatId });
    const me = userRef.current;
    if (ack.ok) {
      // Taken: its broadcast shows it (or has). A send again of a line the table had posted while
      // this page was away is answered ok without a broadcast: the page shows it itself.
      if (me) onOwnChat({ tableId, userId: me.id, username: me.username, text: line.text, at: Date.now(), chatId: line.chatId });
      update(line.id, null);
    } else update(line.id, ack.timedOut ? { state: 'unknown' } : { state: 'refused', problem: ack.error.message });
  }, [tableId, update, onOwnChat]);
  // The table's broadcast of a line (its id, from you) takes it out, whatever the page thought of it.
  useEffect(() => {
    const me = user?.id;
    if (me === undefined) return;
    const posted = new Set(chat.filter((m) => m.userId === me && m.chatId !== undefined).map((m) => m.chatId));
    if (linesRef.current.some((l) => posted.has(l.chatId))) setLines((all) => all.filter((l) => !posted.has(l.chatId)));
  }, [chat, user?.id]);
  // Back and watching: what waits goes, and so does what had no answer (its id makes that safe).
  useEffect(() => {
    if (!live) return;
    for (const line of linesRef.current) if (line.state === 'waiting' || line.state === 'unknown') void deliver(line);
  }, [live, deliver]);
  return {
    lines,
    post: (text) => {
      const line: OutgoingLine = { id: nextId.current++, chatId: newChatId(), text, state: 'waiting' };
      setLines((all) => [...all, line]);
      if (live) void deliver(line);
    },
    retry: (id) => {
      const line = linesRef.current.find((l) => l.id === id);
      if (!line) return;
      if (live) void deliver(line);
      else update(id, { state: 'waiting', problem: undefined });
    },
    remove: (id) => update(id, null),
  };
}

function outgoingNote(line: OutgoingLine): string {
  if (line.state === 'waiting') return 'Not sent yet: waiting for the connection';
  if (line.state === 'sending') return 'Sending…';
  if (line.state === 'unknown') return 'Not confirmed: the table did not answer in time (Retry cannot post it twice)';
  return `Not sent: ${line.problem ?? 'refused'}`;
}

function ChatPanel({ chat, outbox, live }: { chat: ChatMessage[]; outbox: ChatOutbox; live: boolean }) {
  const user = session.use().user;
  const [text, setText] = useState('');
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [chat.length, outbox.lines.length]);
  // A line whose broadcast is in (the outbox lets it go just after): shown once, as the table's.
  const posted = new Set(chat.filter((m) => m.userId === user?.id).map((m) => m.chatId));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    outbox.post(body);
    setText('');
  };
  return (
    <div className="chat">
      <ol className="chat-list" ref={list} aria-live="polite" aria-label="Chat messages">
        {chat.length === 0 && outbox.lines.length === 0 && <li className="muted small">No messages yet. Say hi!</li>}
        {chat.map((m, i) => (
          <li key={`${m.at}-${i}`}>
            <span className="chat-who">{m.username}</span> <span className="chat-text">{m.text}</span>
          </li>
        ))}
        {outbox.lines.filter((line) => !posted.has(line.chatId)).map((line) => (
          <li key={`out-${line.id}`} className={`chat-out chat-${line.state}`} data-testid="chat-pending" data-state={line.state}>
            <span className="chat-who">{user?.username}</span> <span className="chat-text">{line.text}</span>
            <span className="chat-note">{outgoingNote(line)}</span>
            {(line.state === 'refused' || line.state === 'unknown') && (
              <span className="chat-out-actions">
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => outbox.retry(line.id)}>Retry</button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => outbox.remove(line.id)}>Remove</button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {user ? (
        <>
          {!live && <p className="chat-offline" role="status" data-testid="chat-offline">Reconnecting… what you send waits here and goes when the table is back.</p>}
          <form className="chat-form" onSubmit={submit}>
            <input value={text} onChange={(e) => setText(e.target.value)} maxLength={280} placeholder="Message the table" aria-label="Chat message" />
            <button className="btn btn-ghost btn-sm" type="submit">Send</button>
          </form>
        </>
      ) : (
        <p className="muted small">Log in to chat.</p>
      )}
    </div>
  );
}

/** Within this many pixels of the bottom, the log follows new lines. */
const LOG_FOLLOW_PX = 48;

function LogPanel({ lines }: { lines: string[] }) {
  const ref = useRef<HTMLOListElement>(null);
  const latest = useRef<HTMLLIElement>(null);
  const opened = useRef(false);
  const following = useRef(true);
  const lastHand = lines.reduce((found, l, i) => (l.startsWith('—') ? i : found), -1);
  // The list grows to its content, so the scrolling box is the tab panel around it.
  const panelOf = () => ref.current?.closest<HTMLElement>('.tab-panel') ?? null;
  useEffect(() => {
    const panel = panelOf();
    if (!panel) return;
    const onScroll = () => {
      following.current = panel.scrollHeight - panel.clientHeight - panel.scrollTop <= LOG_FOLLOW_PX;
    };
    panel.addEventListener('scroll', onScroll, { passive: true });
    return () => panel.removeEventListener('scroll', onScroll);
  }, []);
  // Opens on the latest hand (its first line at the top, or all of it when it fits),
  // then follows new lines while the reader stays at the bottom.
  useLayoutEffect(() => {
    const panel = panelOf();
    if (!panel) return;
    if (opened.current) {
      if (following.current) panel.scrollTop = panel.scrollHeight;
      return;
    }
    opened.current = true;
    const header = latest.current;
    panel.scrollTop = header ? header.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop - 8 : panel.scrollHeight;
    following.current = panel.scrollHeight - panel.clientHeight - panel.scrollTop <= LOG_FOLLOW_PX;
  }, [lines]);
  return (
    <ol className="log-list" ref={ref} aria-label="Hand log">
      {lines.length === 0 && <li className="muted small">The dealer's log appears here.</li>}
      {lines.map((l, i) => (
        <li key={i} ref={i === lastHand ? latest : undefined} className={l.startsWith('—') ? 'log-hand' : ''} data-testid={i === lastHand ? 'log-latest-hand' : undefined}>{l}</li>
      ))}
    </ol>
  );
}

function useMyHands(refreshKey: string | null, tableId?: number) {
  const user = session.use().user;
  const [hands, setHands] = useState<MyHand[] | null>(null);
  useEffect(() => {
    if (!user) return;
    let alive = true;
    api<Page<MyHand>>('GET', '/api/hands/mine?limit=20')
      .then((r) => alive && setHands(tableId === undefined ? r.items : r.items.filter((h) => h.tableId === tableId)))
      .catch(() => alive && setHands([]));
    return () => {
      alive = false;
    };
  }, [user?.id, refreshKey, tableId]);
  return { user, hands };
}

export function HandsPanel({ tableId, settledKey }: { tableId?: number; settledKey: string | null }) {
  const { user, hands } = useMyHands(settledKey, tableId);
  const [open, setOpen] = useState<string | null>(null);
  const { hand, error } = useHand(open);
  if (!user) return <p className="muted small">Log in to see the hands you played.</p>;
  if (open) {
    return (
      <div>
        <button className="btn btn-ghost btn-sm" onClick={() => setOpen(null)}>‹ All hands</button>
        {error && <p className="form-error">{error}</p>}
        {hand ? <HandViewer hand={hand} /> : !error && <p className="muted">Loading…</p>}
      </div>
    );
  }
  if (hands === null) return <p className="muted">Loading…</p>;
  if (hands.length === 0) return <p className="muted small">No hands yet.</p>;
  return (
    <ul className="hand-list">
      {hands.map((h) => (
        <li key={h.handId}>
          <button className="hand-item" onClick={() => setOpen(h.handId)}>
            <span>#{h.handNumber} · {h.tableName}</span>
            <span className="muted small">pot {formatChips(h.pot)}</span>
            <span className={h.net >= 0 ? 'pos' : 'neg'}>{h.net >= 0 ? '+' : ''}{formatChips(h.net)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * `hand_settled` carries the stored hand's id (`recordId`), so anyone at the
 * table, seated or watching, can open the last hand's record and verify its
 * shuffle; any other hand opens by its id.
 */
function FairnessPanel({ state }: { state: TableState }) {
  const [manual, setManual] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const handId = open ?? state.settled?.recordId ?? null;
  const { hand, error } = useHand(handId);
  const yourSeat = state.players.find((p) => p.userId === state.youUserId)?.seat ?? null;
  return (
    <div className="fairness">
      <section>
        <h3>Current hand</h3>
        <LiveFairness
          fairness={state.fairness}
          nextCommitment={state.nextCommitment}
          yourSeat={yourSeat}
          onClientSeed={yourSeat === null ? undefined : async (seed) => {
            const r = await send('table:client_seed', { tableId: state.tableId, seed });
            if (!r.ok) throw new Error(r.error.message);
            toast('Client seed set: it is mixed into your next hands.', 'success');
          }}
        />
      </section>
      <section>
        <h3>Check a settled hand</h3>
        {error && <p className="form-error">{errorText(error)}</p>}
        {hand && <HandViewer hand={hand} />}
        <form className="row gap" onSubmit={(e) => { e.preventDefault(); if (/^\d+$/.test(manual)) setOpen(manual); }}>
          <input className="grow" value={manual} onChange={(e) => setManual(e.target.value.replace(/[^\d]/g, ''))} placeholder="Hand id" aria-label="Hand id to verify" inputMode="numeric" />
          <button className="btn btn-ghost btn-sm" type="submit">Open</button>
        </form>
      </section>
    </div>
  );
}
