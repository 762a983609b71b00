import { useState } from 'react';
import type { HandDetail } from '../api';

// Provable fairness: the commitment sha256(seed) is shown when the hand starts;
// after settlement the seed is published and the deck is recomputed here, in
// the browser, with the engine's own verifyHand.

type Verdict = { state: 'idle' } | { state: 'running' } | { state: 'ok' } | { state: 'fail'; reason: string };

export function FairnessCheck({ hand }: { hand: HandDetail }) {
  const [verdict, setVerdict] = useState<Verdict>({ state: 'idle' });
  const run = async () => {
    setVerdict({ state: 'running' });
    try {
      const { verifyHand } = await import('@poker/fairness');
      const shownOnly: Record<string, string[]> = {};
      for (const seat of hand.record.shownSeats) {
        const cards = hand.record.holeCards[String(seat)];
        if (cards) shownOnly[String(seat)] = cards;
      }
      // Our own cards were dealt from the same deck, so they are checked too.
      for (const seat of hand.yourSeats) {
        const cards = hand.record.holeCards[String(seat)];
        if (cards) shownOnly[String(seat)] = cards;
      }
      const result = verifyHand({
        handId: hand.record.handId,
        commitment: hand.commitment,
        seed: hand.seed,
        variant: hand.record.variant as 'NLHE' | 'PLO',
        dealtSeats: hand.record.dealtSeats,
        holeCards: shownOnly,
        board: hand.record.board,
      });
      setVerdict(result.ok ? { state: 'ok' } : { state: 'fail', reason: result.reason });
    } catch (error) {
      setVerdict({ state: 'fail', reason: (error as Error).message });
    }
  };
  return (
    <div className="fairness-check">
      <dl className="hash-list">
        <div><dt>Commitment</dt><dd className="mono" data-testid="fair-commitment">{hand.commitment}</dd></div>
        <div><dt>Seed</dt><dd className="mono" data-testid="fair-seed">{hand.seed}</dd></div>
      </dl>
      <button className="btn btn-gold btn-sm" onClick={() => void run()} disabled={verdict.state === 'running'}>Verify shuffle</button>
      <span className="verdict" role="status" data-testid="verify-result">
        {verdict.state === 'ok' && <span className="pos">✓ Verified: the seed matches the commitment and deals this board{hand.record.shownSeats.length ? ' and the shown hands' : ''}.</span>}
        {verdict.state === 'fail' && <span className="neg">✗ {verdict.reason}</span>}
        {verdict.state === 'running' && 'Checking…'}
      </span>
    </div>
  );
}
