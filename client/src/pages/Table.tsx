import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { ActionKind, LegalActions } from '@poker';
import { newIdempotencyKey } from '../api';
import { ActionBar, PreActions, preActionFor, ShowCardsButton, type PreAction } from '../components/ActionBar';
import { ChipsDialog } from '../components/ChipsDialog';
import { Dialog } from '../components/Dialog';
import { canShowCards, Felt, useFeltShape } from '../components/Felt';
import { Link } from '../components/Link';
import { NotifyToggle, useNotifyToggle } from '../components/NotifyToggle';
import { RebuyBar, RebuyDialog } from '../components/RebuyDialog';
import { SidePanel } from '../components/SidePanel';
import { SitDialog } from '../components/SitDialog';
import { OpenTableButton } from '../components/TableTabs';
import { TableControls, type TableControl } from '../components/TableMenu';
import { WaitingBanner } from '../components/WaitingBanner';
import { WaitlistBar } from '../components/WaitlistBar';
import '../components/table-flow.css';
import { formatChips } from '../money';
import { openTables } from '../multiTable';
import { navigate } from '../router';
import { send } from '../socket';
import { setMuted, useMuted, useTableSounds } from '../sounds';
import { refreshBalance, session, toast } from '../store';
import { freeSeats, isBusted, reservedForOther, waitingForPlayers } from '../tableFlow';
import { handNumberOf, totalPot, type TableState } from '../tableState';
import { useTurnCue, type TableTurn } from '../turnCue';
import { useTable } from '../useTable';

/**
 * How long a finished hand's result stays on the felt once the table is waiting for players
 * (and before a rebuy prompt covers it), at least: a table that holds its showdowns longer
 * (snapshot `timing.showdownHoldMs`) keeps it up that long.
 */
const RESULT_HOLD_MS = 2_500;

/** The table's showdown hold, read loosely: a server that predates `timing` leaves it out. */
function resultHoldMsOf(state: TableState | null): number {
  const holdMs = (state as { timing?: { showdownHoldMs?: unknown } } | null)?.timing?.showdownHoldMs;
  return Math.max(RESULT_HOLD_MS, typeof holdMs === 'number' && Number.isFinite(holdMs) ? holdMs : 0);
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * Sets --fit-h on the element: the height from its top to the bottom of the
 * window. On a phone the felt and the action bar share exactly that height, so
 * on your turn the buttons, the board and your cards are all on screen at once.
 */
function useFitToWindow(ref: RefObject<HTMLElement | null>, ready: boolean, shown: boolean): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      const top = el.getBoundingClientRect().top + window.scrollY;
      el.style.setProperty('--fit-h', `${Math.round(window.innerHeight - top)}px`);
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(document.body);
    window.addEventListener('resize', update);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', update);
    };
  }, [ready, shown]);
}

/**
 * On a phone the toasts (Toasts.tsx, styles.css) come down from the top: on the table's own page,
 * and under the multi-table page's tab strip, they start below the shown table's head
 * (--toasts-top), so they never hide its back link, menu or tabs. (Desktop toasts sit bottom right
 * and ignore it.)
 */
function useToastsBelow(ref: RefObject<HTMLElement | null>, active: boolean): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !active) return;
    const root = document.documentElement;
    const update = () => root.style.setProperty('--toasts-top', `${Math.max(6, Math.round(el.getBoundingClientRect().bottom) + 6)}px`);
    update();
    window.addEventListener('resize', update);
    window.addEventListener('scroll', update, { passive: true });
    return () => {
      window.removeEventListener('resize', update);
      window.removeEventListener('scroll', update);
      root.style.removeProperty('--toasts-top');
    };
  }, [active]);
}

/**
 * One request of the seat's at a time (sit in or out, leave): a double click sends one, and the
 * buttons stay off until the answer and the snapshot after it are in.
 */
function useOneAtATime(): [boolean, (run: () => Promise<void>) => Promise<void>] {
  const running = useRef(false);
  const [busy, setBusy] = useState(false);
  const once = async (run: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      await run();
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return [busy, once];
}

/** The toast for a leave's answer: chips back now, or at the end of the hand. */
function leftText(ack: { pending?: boolean; cashedOut?: number }): string {
  if (ack.pending) return 'You leave after this hand; your chips go back to your wallet then.';
  return ack.cashedOut !== undefined ? `Left the table: ${formatChips(ack.cashedOut)} chips back to your wallet.` : 'Left the table; your chips are back in your wallet.';
}

/** What a screen reader says when the action comes to the player (the action bar appears silently). */
function turnAnnouncement(legal: LegalActions): string {
  if (legal.canCheck) return 'Your turn: nothing to call.';
  if (legal.canCall) return `Your turn: ${formatChips(legal.callAmount)} to call.`;
  return 'Your turn.';
}

/** True once `active` has held for `ms` without a break. */
function useHeldFor(active: boolean, ms: number): boolean {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    setHeld(false);
    if (!active) return;
    const timer = setTimeout(() => setHeld(true), ms);
    return () => clearTimeout(timer);
  }, [active, ms]);
  return held;
}

/**
 * The your-turn cue: on its own page the table keeps the tab title ("● Your turn — <table>")
 * and the notifications; embedded, it only reports its turn to the page around it, which
 * speaks for all its tables.
 */
function useTableTurn(turn: TableTurn | null, tableId: number, compact: boolean, onTurn: ((turn: TableTurn) => void) | undefined): void {
  useTurnCue(compact || turn === null ? [] : [turn], compact ? null : turn ? `${turn.name} · Atomic Poker` : `Table ${tableId} · Atomic Poker`);
  useEffect(() => {
    if (compact && turn) onTurn?.(turn);
  }, [turn?.name, turn?.myTurn, turn?.seated]);
}

function mySeatOf(state: TableState): number | null {
  if (state.youUserId === null) return null;
  return state.players.find((p) => p.userId === state.youUserId)?.seat ?? null;
}

export interface TablePageProps {
  tableId: number;
  /**
   * Embedded as a tile of the multi-table page: no side panel, no back link, no auto-sit
   * from the URL, and the document title and notifications are the page's (`onTurn`).
   */
  compact?: boolean;
  /** The tile is on screen (a phone shows one table at a time): its layout is measured again. */
  shown?: boolean;
  /** Embedded: the table's name, and whether the action is on you, whenever either changes. */
  onTurn?: (turn: TableTurn) => void;
}

export function TablePage({ tableId, compact = false, shown = true, onTurn }: TablePageProps) {
  const { state, error, closed, chat, live, addOwnChat, resync, closedAnswer } = useTable(tableId);
  const { user, balance } = session.use();
  const [dialog, setDialog] = useState<{ kind: 'sit'; seat: number } | { kind: 'topup' } | { kind: 'rebuy' } | { kind: 'leave' } | null>(null);
  /** The hand during which a rebuy was queued (its chips arrive at the hand's end). */
  const [rebuyQueuedIn, setRebuyQueuedIn] = useState<string | null | undefined>(undefined);
  /** The rebuy dialog opened by itself for the current bust already. */
  const promptedBust = useRef(false);
  const [busy, setBusy] = useState(false);
  const [pre, setPre] = useState<PreAction>('none');
  const autoSit = useRef(!compact && new URLSearchParams(window.location.search).get('sit') === '1');
  const now = useNow(state?.clock != null);
  const mainRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const phone = useFeltShape() !== 'wide';
  useFitToWindow(mainRef, state !== null, shown);
  // A tile of the multi-table page too: on a phone the one shown (the others are hidden) keeps its head clear.
  useToastsBelow(headRef, shown && state !== null && error === null);
  const [requesting, oneAtATime] = useOneAtATime();
  const muted = useMuted();
  const notify = useNotifyToggle();

  const mySeat = state ? mySeatOf(state) : null;
  const legal = state && mySeat !== null ? state.legal : null;
  const handId = state?.view.handId ?? null;
  const waiting = state ? waitingForPlayers(state) : null;
  // A table that cannot deal says so; the last hand's winner does not stay up for minutes.
  const holdMs = resultHoldMsOf(state);
  const resultStale = useHeldFor(waiting !== null, holdMs);
  const busted = state !== null && isBusted(state, mySeat) && rebuyQueuedIn !== handId;
  // The rebuy dialog waits until the hand's result could be read.
  const promptRebuy = useHeldFor(busted, holdMs);

  useEffect(() => setPre('none'), [handId]);
  useTableTurn(state ? { tableId, name: state.name, myTurn: legal !== null, seated: mySeat !== null } : null, tableId, compact, onTurn);
  useTableSounds(state, legal !== null);

  useEffect(() => {
    if (!state || !autoSit.current || !user) return;
    autoSit.current = false;
    if (mySeat !== null) return;
    const held = state.youWaitlist?.offer?.seat;
    const free = held ?? freeSeats(state)[0];
    if (free !== undefined) setDialog({ kind: 'sit', seat: free });
  }, [state !== null, user]);

  // Busted: the rebuy dialog opens by itself, once per bust.
  useEffect(() => {
    if (!busted) {
      promptedBust.current = false;
      return;
    }
    if (!promptRebuy || promptedBust.current) return;
    promptedBust.current = true;
    setDialog((open) => open ?? { kind: 'rebuy' });
  }, [busted, promptRebuy]);

  const act = async (action: ActionKind, amount?: number) => {
    if (!state) return;
    setBusy(true);
    const ack = await send('table:act', { tableId, action, seq: state.seq, ...(amount !== undefined ? { amount } : {}) });
    setBusy(false);
    if (!ack.ok) {
      if (ack.error.code === 'table/closed') return closedAnswer();
      toast(ack.error.message, 'error');
      if (ack.error.code === 'seq/stale' || ack.error.code === 'turn/not_your_turn') resync();
    }
  };

  // A pre-selected action fires as soon as the turn comes.
  useEffect(() => {
    if (!legal || pre === 'none' || busy) return;
    const action = preActionFor(pre, legal);
    setPre('none');
    if (action) void act(action);
  }, [legal]);

  if (error) {
    return (
      <section className="panel narrow" data-testid={closed ? 'table-closed' : 'table-unavailable'}>
        <h1>{closed ? 'Table closed' : 'Table unavailable'}</h1>
        <p>{error}</p>
        <Link href="/" className="btn btn-gold">Back to the lobby</Link>
      </section>
    );
  }
  if (!state) return <div className="loading-felt" role="status">Taking you to the table…</div>;

  const view = state.view;
  const me = mySeat !== null ? view.seats[mySeat] ?? null : null;
  const myPlayer = mySeat !== null ? state.players.find((p) => p.seat === mySeat) ?? null : null;
  const inHand = me !== null && me.inHand && !me.folded && view.street !== 'complete';

  const sit = async (seat: number, buyIn: number): Promise<string | null> => {
    const ack = await send<'table:sit', { seat: number; stack: number; pending: boolean }>('table:sit', { tableId, seat, buyIn, idempotencyKey: newIdempotencyKey('sit') });
    if (!ack.ok) {
      if (ack.error.code === 'table/closed') return refusedAsClosed();
      if (ack.error.code === 'seat/reserved' || ack.error.code === 'seat/taken') void resync();
      return ack.error.message;
    }
    setDialog(null);
    toast(ack.pending ? `Seated with ${formatChips(buyIn)} — you are dealt in from the next hand.` : `Seated with ${formatChips(buyIn)}. Good luck!`, 'success');
    void refreshBalance();
    void resync();
    return null;
  };
  const topUp = async (amount: number): Promise<string | null> => {
    const ack = await send<'table:top_up', { pending: boolean }>('table:top_up', { tableId, amount, idempotencyKey: newIdempotencyKey('topup') });
    if (!ack.ok) return ack.error.code === 'table/closed' ? refusedAsClosed() : ack.error.message;
    setDialog(null);
    toast(ack.pending ? `${formatChips(amount)} chips will be added after this hand.` : `${formatChips(amount)} chips added.`, 'success');
    void refreshBalance();
    if (ack.pending) void resync(); // the snapshot lists it as pending until the hand ends
    return null;
  };
  /** A sit or top-up refused because the table closes (or closed): the page says which, the dialog goes. */
  const refusedAsClosed = (): null => {
    setDialog(null);
    toast('This table is closing: it takes no new chips or players.', 'info');
    closedAnswer();
    return null;
  };
  const simple = (name: 'table:sit_out' | 'table:sit_in' | 'table:leave') => oneAtATime(async () => {
    const ack = await send<typeof name, { pending?: boolean; cashedOut?: number }>(name, { tableId });
    if (!ack.ok) {
      if (ack.error.code === 'table/closed') return closedAnswer();
      toast(ack.error.message, 'error');
      return;
    }
    if (name === 'table:leave') {
      toast(leftText(ack), ack.pending ? 'info' : 'success');
      void refreshBalance();
    }
    await resync();
  });
  // "Post now" (decisions 034, 035): a player waiting for the big blind posts one (and a small
  // blind missed, dead) to be dealt in sooner, or waits again. The players frame that follows shows the choice.
  const postBlind = (now: boolean) => oneAtATime(async () => {
    const ack = await send('table:post_blind', { tableId, now });
    if (!ack.ok) {
      if (ack.error.code === 'table/closed') return closedAnswer();
      toast(ack.error.message, 'error');
    }
  });
  // Leaving mid-hand gives the hand up: asked once more; otherwise it is one click.
  const leave = () => (inHand ? setDialog({ kind: 'leave' }) : void simple('table:leave'));
  const onSit = (seat: number) => {
    const back = compact ? window.location.pathname + window.location.search : `/table/${tableId}`;
    if (!user) return navigate(`/login?next=${encodeURIComponent(back)}`);
    if (state.closing) return toast('This table closes after this hand: it takes no new players.', 'info');
    if (reservedForOther(state, seat)) return toast('That seat is held for a player from the waiting list.', 'info');
    setDialog({ kind: 'sit', seat });
  };

  const stackNow = me?.stack ?? 0;
  const pendingChips = state.pendingTopUps.reduce((sum, n) => sum + n, 0);
  const timeBank = myPlayer ? Math.round(myPlayer.timeBankMs / 1000) : null;
  const hasTimeBank = timeBank !== null && timeBank > 0;
  // A leave cannot be taken back: until it happens, sitting in or out and topping up are off (the server refuses them too).
  const leaving = myPlayer?.leaving ?? false;
  // Waiting for the big blind is out of the deal but not sitting out: the player may still sit out.
  const waitingForBigBlind = myPlayer?.waitingForBigBlind ?? false;
  const postingBigBlind = myPlayer?.postsBigBlind ?? false;
  // Back from missing the small blind, a post to come in also posts that small blind, dead (decision 035).
  const deadSmallBlind = myPlayer?.owesSmallBlind ? view.config.smallBlind : 0;
  // Sitting out, the way back in is where the player looks, not only in the table's menu (⋯ on a phone).
  const imBack = me?.sittingOut && !waitingForBigBlind ? (
    <button type="button" className="btn btn-gold btn-sm im-back" data-testid="im-back" disabled={leaving || requesting} onClick={() => void simple('table:sit_in')}>I'm back</button>
  ) : null;
  // On a phone "Show cards" is in the bar under the felt (beside it on its side), a thumb's size:
  // under your seat, 44 px high, it left the window of a phone on its side (Felt.tsx has the desktop's).
  const showCards = phone && canShowCards(state, mySeat) ? <ShowCardsButton tableId={tableId} handId={handId} /> : null;
  const controls: TableControl[] = [
    me?.sittingOut && !waitingForBigBlind
      ? { label: 'Sit in', onSelect: () => void simple('table:sit_in'), disabled: leaving || requesting }
      : { label: 'Sit out', onSelect: () => void simple('table:sit_out'), disabled: leaving || requesting },
    busted
      ? { label: 'Rebuy', onSelect: () => setDialog({ kind: 'rebuy' }), disabled: leaving || state.closing }
      : { label: 'Top up', onSelect: () => setDialog({ kind: 'topup' }), disabled: leaving || state.closing || stackNow + pendingChips >= state.maxBuyIn },
    { label: leaving ? 'Leaving…' : 'Leave', onSelect: leave, disabled: leaving || requesting },
  ];

  // On a phone the head's icon buttons give way to items of the table menu (a tile's head has neither).
  const settings: TableControl[] = compact ? [] : [
    { label: 'Mute sounds', checked: muted, onSelect: () => setMuted(!muted) },
    { label: "Notify me when it's my turn", checked: notify.on, onSelect: () => void notify.toggle(), disabled: notify.asking },
  ];

  const Heading = compact ? 'h2' : 'h1';
  return (
    <div className={compact ? 'table-page table-compact' : 'table-page'} data-testid="table-page" data-table-id={tableId} data-seq={state.seq} data-hand={view.handId ?? ''} data-street={view.street}>
      <div className="table-head" ref={headRef}>
        {!compact && <Link href="/" className="back-link" aria-label="Back to the lobby">‹<span className="back-label">Lobby</span></Link>}
        <div className="table-title">
          <Heading title={state.name}>{state.name}</Heading>
          <span className="muted small table-meta">
            {hasTimeBank && <span className="meta-time-bank" title="Time bank left"><ClockIcon /> {timeBank}s · </span>}
            {view.config.variant === 'NLHE' ? "NL Hold'em" : 'PL Omaha'} · {formatChips(view.config.smallBlind)}/{formatChips(view.config.bigBlind)} · hand {handNumberOf(view.handId) ?? view.handNumber} · {state.spectators} watching
          </span>
        </div>
        {/* What the table says of you first, then what you can do. */}
        <div className="table-controls">
          {mySeat === null ? (
            <span className="spectating-pill" data-testid="spectating">Watching{user && !state.closing && <span className="wide-only"> — {freeSeats(state).length > 0 ? 'click a seat to play' : 'the table is full'}</span>}</span>
          ) : (
            <>
              {hasTimeBank && <span className="time-bank my-time-bank" title="Time bank left"><span className="wide-only">Time bank</span><span className="narrow-only"><ClockIcon /></span> {timeBank}s</span>}
              {pendingChips > 0 && <span className="time-bank pending-top-up" data-testid="pending-top-up" title="Added to your stack when this hand ends">+{formatChips(pendingChips)}<span className="wide-only"> after this hand</span></span>}
            </>
          )}
          {compact ? (
            <Link href={`/table/${tableId}`} className="btn btn-ghost btn-sm full-view-link" aria-label={`Open ${state.name} on its own page`} title="Chat, hands and fairness">⤢</Link>
          ) : (
            <>
              <MuteToggle />
              <NotifyToggle />
              {user && <OpenTableButton open={[tableId]} onPick={(ids) => openTables(ids)} />}
            </>
          )}
          <TableControls controls={mySeat === null ? [] : controls} settings={settings} />
        </div>
      </div>
      {state.closing && <div className="closing-banner" role="status" data-testid="closing-banner">This table closes after this hand.</div>}
      <div className="table-layout">
        <div className="table-main" ref={mainRef}>
          <Felt state={resultStale && state.awards.length > 0 ? { ...state, awards: [] } : state} mySeat={mySeat} canSit={mySeat === null && !state.closing} onSit={onSit} now={now} />
          <div className="action-zone">
            {legal && mySeat !== null ? (
              <ActionBar legal={legal} pot={totalPot(view)} myBet={me?.bet ?? 0} bigBlind={view.config.bigBlind} preflop={view.street === 'preflop'} busy={busy} onAct={(a, n) => void act(a, n)} />
            ) : inHand ? (
              <div className="waiting-bar">
                <PreActions value={pre} onChange={setPre} />
                <span className="muted small">Waiting for {state.players.find((p) => p.seat === view.toAct)?.username ?? 'the next player'}…</span>
              </div>
            ) : busted ? (
              <RebuyBar onRebuy={() => setDialog({ kind: 'rebuy' })} onLeave={leave} />
            ) : waiting ? (
              <WaitingBanner waiting={waiting}>{imBack}{showCards}</WaitingBanner>
            ) : waitingForBigBlind ? (
              <div className="waiting-bar" data-testid="waiting-for-big-blind">
                <span className="muted">{postingBigBlind
                  ? `You post a big blind of ${formatChips(view.config.bigBlind)}${deadSmallBlind > 0 ? ` and the small blind you missed (${formatChips(deadSmallBlind)}, dead)` : ''} and are dealt in as soon as your seat may.`
                  : 'You are dealt in when the big blind reaches you.'}</span>
                {myPlayer?.mayPostBigBlind && (
                  <button type="button" className="btn btn-sm" data-testid="post-blind" disabled={requesting || leaving} onClick={() => void postBlind(!postingBigBlind)}>
                    {postingBigBlind ? 'Wait for the big blind' : `Post ${formatChips(view.config.bigBlind + deadSmallBlind)} now`}
                  </button>
                )}
              </div>
            ) : mySeat !== null ? (
              <div className="waiting-bar">
                <span className="muted">{me?.sittingOut ? 'You are sitting out.' : view.street === 'complete' ? 'Next hand starting soon…' : 'Waiting for the next hand…'}</span>
                {imBack}
                {showCards}
              </div>
            ) : null}
            <p className="sr-only" role="status" data-testid="turn-announcer">{legal && mySeat !== null ? turnAnnouncement(legal) : ''}</p>
            {mySeat === null && user && !state.closing && <WaitlistBar state={state} onTakeSeat={(seat) => setDialog({ kind: 'sit', seat })} onChanged={() => void resync()} onClosed={closedAnswer} />}
          </div>
        </div>
        {!compact && <SidePanel state={state} chat={chat} live={live} onOwnChat={addOwnChat} />}
      </div>
      {dialog?.kind === 'sit' && (
        <SitDialog tableId={tableId} title={`Buy in — seat ${dialog.seat + 1}${state.youWaitlist?.offer?.seat === dialog.seat ? ' (held for you)' : ''}`} tableMin={state.minBuyIn} tableMax={state.maxBuyIn} balance={balance ?? 0} onConfirm={(n) => sit(dialog.seat, n)} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'topup' && (
        <ChipsDialog title="Top up" min={1} max={Math.max(1, state.maxBuyIn - stackNow - pendingChips)} balance={balance ?? 0} confirmLabel="Add" onConfirm={topUp} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'rebuy' && (
        <RebuyDialog
          tableId={tableId} minBuyIn={state.minBuyIn} maxBuyIn={state.maxBuyIn} balance={balance ?? 0} sittingOut={me?.sittingOut ?? false}
          onDone={() => {
            setDialog(null);
            if (view.street !== 'complete') setRebuyQueuedIn(handId);
            void resync();
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'leave' && (
        <Dialog title="Leave the table?" onClose={() => setDialog(null)}>
          <p>You are in this hand: leaving folds it (at once on your turn, else when your turn comes). Your chips go back to your wallet when it ends.</p>
          <div className="dialog-actions">
            <button type="button" className="btn btn-ghost" onClick={() => setDialog(null)}>Stay</button>
            <button type="button" className="btn btn-gold" onClick={() => { setDialog(null); void simple('table:leave'); }}>Leave and fold</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

/** A clock face, by the time bank's seconds ("⏱" drew a box where a font lacks it, a coloured emoji on a phone). */
function ClockIcon() {
  return (
    <svg className="clock-icon" width="12" height="12" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round">
      <circle cx="12" cy="13" r="8" />
      <path d="M12 9v4l2.5 2.5M10 2h4" />
    </svg>
  );
}

export function MuteToggle() {
  const muted = useMuted();
  return (
    <button className="btn btn-ghost btn-sm mute-btn" aria-pressed={muted} aria-label="Mute sounds" title={muted ? 'Sounds off' : 'Sounds on'} onClick={() => setMuted(!muted)}>
      <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
        {muted ? <path d="M17 9l5 6M22 9l-5 6" /> : <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />}
      </svg>
    </button>
  );
}
