import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { ActionKind } from '@poker';
import { newIdempotencyKey } from '../api';
import { ActionBar, PreActions, preActionFor, type PreAction } from '../components/ActionBar';
import { ChipsDialog } from '../components/ChipsDialog';
import { Felt } from '../components/Felt';
import { Link } from '../components/Link';
import { SidePanel } from '../components/SidePanel';
import { TableControls, type TableControl } from '../components/TableMenu';
import { formatChips } from '../money';
import { navigate } from '../router';
import { send } from '../socket';
import { setMuted, useMuted, useTableSounds } from '../sounds';
import { refreshBalance, session, toast } from '../store';
import { totalPot, type TableState } from '../tableState';
import { useTable } from '../useTable';

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
function useFitToWindow(ref: RefObject<HTMLElement | null>, ready: boolean): void {
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
  }, [ready]);
}

/** "● Your turn — <table>" in the tab title while the action is on you. */
function useTurnTitle(name: string | null, myTurn: boolean): void {
  useEffect(() => {
    if (name === null) return;
    document.title = myTurn ? `● Your turn — ${name}` : `${name} · Atomic Poker`;
  }, [name, myTurn]);
}

function mySeatOf(state: TableState): number | null {
  if (state.youUserId === null) return null;
  return state.players.find((p) => p.userId === state.youUserId)?.seat ?? null;
}

export function TablePage({ tableId }: { tableId: number }) {
  const { state, error, chat, resync } = useTable(tableId);
  const { user, balance } = session.use();
  const [dialog, setDialog] = useState<{ kind: 'sit'; seat: number } | { kind: 'topup' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [pre, setPre] = useState<PreAction>('none');
  const autoSit = useRef(new URLSearchParams(window.location.search).get('sit') === '1');
  const now = useNow(state?.clock != null);
  const mainRef = useRef<HTMLDivElement>(null);
  useFitToWindow(mainRef, state !== null);

  const mySeat = state ? mySeatOf(state) : null;
  const legal = state && mySeat !== null ? state.legal : null;
  const handId = state?.view.handId ?? null;

  useEffect(() => setPre('none'), [handId]);
  useTurnTitle(state?.name ?? null, legal !== null);
  useTableSounds(state, legal !== null);

  useEffect(() => {
    if (!state || !autoSit.current || !user) return;
    autoSit.current = false;
    if (mySeat !== null) return;
    const free = state.view.seats.findIndex((s, i) => s === null && !state.players.some((p) => p.seat === i));
    if (free >= 0) setDialog({ kind: 'sit', seat: free });
  }, [state !== null, user]);

  const act = async (action: ActionKind, amount?: number) => {
    if (!state) return;
    setBusy(true);
    const ack = await send('table:act', { tableId, action, seq: state.seq, ...(amount !== undefined ? { amount } : {}) });
    setBusy(false);
    if (!ack.ok) {
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
      <section className="panel narrow">
        <h1>Table unavailable</h1>
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
    if (!ack.ok) return ack.error.message;
    setDialog(null);
    toast(ack.pending ? `Seated with ${formatChips(buyIn)} — you are dealt in from the next hand.` : `Seated with ${formatChips(buyIn)}. Good luck!`, 'success');
    void refreshBalance();
    resync();
    return null;
  };
  const topUp = async (amount: number): Promise<string | null> => {
    const ack = await send<'table:top_up', { pending: boolean }>('table:top_up', { tableId, amount, idempotencyKey: newIdempotencyKey('topup') });
    if (!ack.ok) return ack.error.message;
    setDialog(null);
    toast(ack.pending ? `${formatChips(amount)} chips will be added after this hand.` : `${formatChips(amount)} chips added.`, 'success');
    void refreshBalance();
    return null;
  };
  const simple = async (name: 'table:sit_out' | 'table:sit_in' | 'table:leave') => {
    const ack = await send<typeof name, { pending?: boolean }>(name, { tableId });
    if (!ack.ok) return toast(ack.error.message, 'error');
    if (name === 'table:leave') {
      toast(ack.pending ? 'You will leave at the end of this hand.' : 'You left the table; your chips are back in your wallet.', 'info');
      void refreshBalance();
    }
    resync();
  };
  const onSit = (seat: number) => {
    if (!user) return navigate(`/login?next=${encodeURIComponent(`/table/${tableId}`)}`);
    setDialog({ kind: 'sit', seat });
  };

  const stackNow = me?.stack ?? 0;
  const timeBank = myPlayer ? Math.round(myPlayer.timeBankMs / 1000) : null;
  const controls: TableControl[] = [
    me?.sittingOut ? { label: 'Sit in', onSelect: () => void simple('table:sit_in') } : { label: 'Sit out', onSelect: () => void simple('table:sit_out') },
    { label: 'Top up', onSelect: () => setDialog({ kind: 'topup' }), disabled: stackNow >= state.maxBuyIn },
    { label: myPlayer?.leaving ? 'Leaving…' : 'Leave', onSelect: () => void simple('table:leave'), disabled: myPlayer?.leaving },
  ];

  return (
    <div className="table-page" data-testid="table-page" data-seq={state.seq} data-hand={view.handId ?? ''} data-street={view.street}>
      <div className="table-head">
        <Link href="/" className="back-link" aria-label="Back to the lobby">‹ Lobby</Link>
        <div className="table-title">
          <h1>{state.name}</h1>
          <span className="muted small table-meta">
            {view.config.variant === 'NLHE' ? "NL Hold'em" : 'PL Omaha'} · {formatChips(view.config.smallBlind)}/{formatChips(view.config.bigBlind)} · hand {view.handNumber} · {state.spectators} watching
          </span>
        </div>
        <div className="table-controls">
          <MuteToggle />
          {mySeat === null ? (
            <span className="spectating-pill" data-testid="spectating">{user ? 'Watching — click a seat to play' : 'Watching'}</span>
          ) : (
            <>
              {timeBank !== null && timeBank > 0 && <span className="time-bank" title="Time bank left">Time bank {timeBank}s</span>}
              <TableControls controls={controls} />
            </>
          )}
        </div>
      </div>
      <div className="table-layout">
        <div className="table-main" ref={mainRef}>
          <Felt state={state} mySeat={mySeat} canSit={mySeat === null} onSit={onSit} now={now} />
          <div className="action-zone">
            {legal && mySeat !== null ? (
              <ActionBar legal={legal} pot={totalPot(view)} myBet={me?.bet ?? 0} bigBlind={view.config.bigBlind} preflop={view.street === 'preflop'} busy={busy} onAct={(a, n) => void act(a, n)} />
            ) : inHand ? (
              <div className="waiting-bar">
                <PreActions value={pre} onChange={setPre} />
                <span className="muted small">Waiting for {state.players.find((p) => p.seat === view.toAct)?.username ?? 'the next player'}…</span>
              </div>
            ) : mySeat !== null ? (
              <div className="waiting-bar"><span className="muted">{me?.sittingOut ? 'You are sitting out.' : view.street === 'complete' ? 'Next hand starting soon…' : 'Waiting for the next hand…'}</span></div>
            ) : null}
          </div>
        </div>
        <SidePanel state={state} chat={chat} />
      </div>
      {dialog?.kind === 'sit' && (
        <ChipsDialog title={`Buy in — seat ${dialog.seat + 1}`} min={state.minBuyIn} max={state.maxBuyIn} balance={balance ?? 0} confirmLabel="Sit with" onConfirm={(n) => sit(dialog.seat, n)} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'topup' && (
        <ChipsDialog title="Top up" min={1} max={Math.max(1, state.maxBuyIn - stackNow)} balance={balance ?? 0} confirmLabel="Add" onConfirm={topUp} onClose={() => setDialog(null)} />
      )}
    </div>
  );
}

function MuteToggle() {
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
