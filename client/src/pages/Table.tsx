import { useEffect, useRef, useState } from 'react';
import type { ActionKind } from '@poker';
import { newIdempotencyKey } from '../api';
import { ActionBar, PreActions, preActionFor, type PreAction } from '../components/ActionBar';
import { ChipsDialog } from '../components/ChipsDialog';
import { Felt } from '../components/Felt';
import { Link } from '../components/Link';
import { SidePanel } from '../components/SidePanel';
import { formatChips } from '../money';
import { navigate } from '../router';
import { send } from '../socket';
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

  const mySeat = state ? mySeatOf(state) : null;
  const legal = state && mySeat !== null ? state.legal : null;
  const handId = state?.view.handId ?? null;

  useEffect(() => setPre('none'), [handId]);

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

  return (
    <div className="table-page" data-testid="table-page" data-seq={state.seq} data-hand={view.handId ?? ''} data-street={view.street}>
      <div className="table-head">
        <Link href="/" className="back-link" aria-label="Back to the lobby">‹ Lobby</Link>
        <div className="table-title">
          <h1>{state.name}</h1>
          <span className="muted small">
            {view.config.variant === 'NLHE' ? "NL Hold'em" : 'PL Omaha'} · {formatChips(view.config.smallBlind)}/{formatChips(view.config.bigBlind)} · hand {view.handNumber} · {state.spectators} watching
          </span>
        </div>
        <div className="table-controls">
          {mySeat === null ? (
            <span className="spectating-pill" data-testid="spectating">{user ? 'Watching — click a seat to play' : 'Watching'}</span>
          ) : (
            <>
              {timeBank !== null && timeBank > 0 && <span className="time-bank" title="Time bank left">Time bank {timeBank}s</span>}
              {me?.sittingOut ? (
                <button className="btn btn-ghost btn-sm" onClick={() => void simple('table:sit_in')}>Sit in</button>
              ) : (
                <button className="btn btn-ghost btn-sm" onClick={() => void simple('table:sit_out')}>Sit out</button>
              )}
              <button className="btn btn-ghost btn-sm" onClick={() => setDialog({ kind: 'topup' })} disabled={stackNow >= state.maxBuyIn}>Top up</button>
              <button className="btn btn-ghost btn-sm" onClick={() => void simple('table:leave')} disabled={myPlayer?.leaving}>{myPlayer?.leaving ? 'Leaving…' : 'Leave'}</button>
            </>
          )}
        </div>
      </div>
      <div className="table-layout">
        <div className="table-main">
          <Felt state={state} mySeat={mySeat} canSit={mySeat === null} onSit={onSit} now={now} />
          <div className="action-zone">
            {legal && mySeat !== null ? (
              <ActionBar legal={legal} pot={totalPot(view)} myBet={me?.bet ?? 0} bigBlind={view.config.bigBlind} busy={busy} onAct={(a, n) => void act(a, n)} />
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
