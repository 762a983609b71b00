import { useState, type FormEvent } from 'react';
import type { ClientSeed, PublishedFairness, PublishedHand, PublishedPart } from '@poker/fairness';
import { CLIENT_SEED_LENGTH_MAX } from '@protocol';
import type { HandDetail } from '../api';

// Provable fairness in the browser (docs/fairness.md), with the engine's own verifier
// (server/poker/fairness.ts, loaded on demand):
//   - right after a hand: the openings of the board and the shown hands, and a player's own
//     cards, are checked against the deckRoot committed when the hand started;
//   - once the server seed is revealed (every player of the hand has left the table and the
//     delay has passed): the whole deck is re-derived from the seed and the client seeds.
// Folded cards are never shown here: the server does not send them before the reveal.

/** GET /api/hands/:id with its fairness block (api.ts's HandDetail gains `fairness`). */
type HandWithFairness = HandDetail & { fairness?: PublishedFairness };

type PartVerdict = { part: 'public' | 'own' | 'deck'; state: 'ok' | 'fail' | 'sealed' | 'none'; text: string };

type Verdict = { state: 'idle' } | { state: 'running' } | { state: 'done'; parts: PartVerdict[] } | { state: 'error'; reason: string };

function publishedOf(hand: HandWithFairness): PublishedHand | null {
  return hand.fairness ? { record: hand.record, fairness: hand.fairness, yourSeats: hand.yourSeats } : null;
}

/** When the seed comes out, in words. */
export function sealedText(fairness: PublishedFairness): string {
  const when = new Date(fairness.seedReveal.notBefore).toLocaleString();
  const seated = fairness.seedReveal.openSeatSessions;
  const waiting = seated > 0 ? `${seated} player${seated === 1 ? ' is' : 's are'} still seated; ` : '';
  return `Sealed: the seed is revealed once every player of this hand has left the table, and not before ${when} (${waiting}until then it would expose the folded cards).`;
}

/** The lines HandViewer appends to a copied hand history. */
export function fairnessSummaryLines(hand: HandDetail): string[] {
  const f = (hand as HandWithFairness).fairness;
  if (!f) return [];
  return [
    `Seed commitment ${f.seedCommitment}`,
    ...(f.deckRoot ? [`Deck root ${f.deckRoot}`] : []),
    ...f.clientSeeds.map((c) => `Client seed seat ${c.seat + 1}: ${c.seed}`),
    `Seed ${f.seed ?? `sealed until every player has left, not before ${f.seedReveal.notBefore}`}`,
  ];
}

async function checkParts(published: PublishedHand): Promise<PartVerdict[]> {
  const { verifyHand, verifiableFromPublished } = await import('@poker/fairness');
  const f = published.fairness;
  const run = (part: PublishedPart) => {
    const input = verifiableFromPublished(published, part);
    return input === null ? null : verifyHand(input);
  };
  const parts: PartVerdict[] = [];
  if (f.scheme === 2) {
    const pub = run('public');
    const count = f.openings.length;
    parts.push(
      pub?.ok
        ? { part: 'public', state: 'ok', text: `Board and shown hands: ${count} card${count === 1 ? '' : 's'} open against the deck committed at hand start.` }
        : { part: 'public', state: 'fail', text: `Board and shown hands: ${pub ? pub.reason : 'nothing to check'}` },
    );
    if (published.yourSeats.length > 0) {
      const own = run('own');
      parts.push(own?.ok
        ? { part: 'own', state: 'ok', text: 'Your hole cards open against the same commitment (only you receive these openings).' }
        : { part: 'own', state: 'fail', text: `Your hole cards: ${own ? own.reason : 'no openings received'}` });
    }
  }
  if (f.seed === null) {
    parts.push({ part: 'deck', state: 'sealed', text: `Whole deck: not checkable yet. ${sealedText(f)}` });
    return parts;
  }
  const all = run('all');
  parts.push(all?.ok
    ? { part: 'deck', state: 'ok', text: f.scheme === 2
        ? 'Whole deck: the revealed seed matches its commitment and, with the client seeds, deals exactly the committed deck and every card above.'
        : 'Whole deck: the revealed seed matches its commitment and deals this board and the shown hands (a hand from before per-card commitments).' }
    : { part: 'deck', state: 'fail', text: `Whole deck: ${all ? all.reason : 'nothing to check'}` });
  return parts;
}

const MARKS: Record<PartVerdict['state'], string> = { ok: '✓', fail: '✗', sealed: '⏳', none: '·' };

export function FairnessCheck({ hand }: { hand: HandDetail }) {
  const [verdict, setVerdict] = useState<Verdict>({ state: 'idle' });
  const published = publishedOf(hand as HandWithFairness);
  if (!published) return <p className="muted small">This hand carries no fairness data.</p>;
  const f = published.fairness;
  const run = async () => {
    setVerdict({ state: 'running' });
    try {
      setVerdict({ state: 'done', parts: await checkParts(published) });
    } catch (error) {
      setVerdict({ state: 'error', reason: (error as Error).message });
    }
  };
  return (
    <div className="fairness-check">
      <dl className="hash-list">
        <div><dt>Seed commitment sha256(seed)</dt><dd className="mono" data-testid="fair-commitment">{f.seedCommitment}</dd></div>
        {f.deckRoot && <div><dt>Deck root (52 salted positions)</dt><dd className="mono" data-testid="fair-deck-root">{f.deckRoot}</dd></div>}
        {f.scheme === 2 && <div><dt>Client seeds</dt><dd className="mono">{f.clientSeeds.length ? f.clientSeeds.map((c) => `seat ${c.seat + 1}: ${c.seed}`).join(' · ') : 'none'}</dd></div>}
        <div><dt>Seed</dt><dd className={f.seed ? 'mono' : undefined} data-testid="fair-seed">{f.seed ?? <span className="muted small">{sealedText(f)}</span>}</dd></div>
      </dl>
      <button className="btn btn-gold btn-sm" onClick={() => void run()} disabled={verdict.state === 'running'}>Verify shuffle</button>
      <div className="verdict" role="status" data-testid="verify-result">
        {verdict.state === 'running' && 'Checking…'}
        {verdict.state === 'error' && <span className="neg">✗ {verdict.reason}</span>}
        {verdict.state === 'done' && (
          <ul className="verdict-list" style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 4 }}>
            {verdict.parts.map((p) => (
              <li key={p.part} data-testid={`verify-${p.part}`} className={p.state === 'ok' ? 'pos' : p.state === 'fail' ? 'neg' : 'muted'}>
                {MARKS[p.state]} {p.text}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The live commitments of a table (the snapshot's `fairness`, the `fairness_commitment` event). */
export interface LiveFairnessInfo {
  handId: string;
  commitment: string;
  deckRoot?: string;
  clientSeeds?: ClientSeed[];
  revealed?: boolean;
  nextCommitment?: string;
}

// The wire rule of 'table:client_seed' (server/protocol/messages.ts): no spaces.
const CLIENT_SEED_WIRE = /^[\x21-\x7e]+$/;

function randomClientSeed(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function ClientSeedForm({ onClientSeed }: { onClientSeed: (seed: string) => Promise<void> | void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (value.length > CLIENT_SEED_LENGTH_MAX || !CLIENT_SEED_WIRE.test(value)) {
      setError(`1 to ${CLIENT_SEED_LENGTH_MAX} printable characters, no spaces.`);
      return;
    }
    setError(null);
    try {
      await onClientSeed(value);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="row gap" onSubmit={(e) => void submit(e)}>
      <input className="grow mono" value={value} onChange={(e) => setValue(e.target.value)} maxLength={CLIENT_SEED_LENGTH_MAX} placeholder="Your client seed" aria-label="Your client seed" />
      <button className="btn btn-ghost btn-sm" type="button" onClick={() => setValue(randomClientSeed())}>Random</button>
      <button className="btn btn-ghost btn-sm" type="submit">Set</button>
      {error && <span className="field-error">{error}</span>}
    </form>
  );
}

/**
 * The current hand's commitments, and the next hand's server commitment: a client seed set
 * now is mixed with a server seed the server committed to before it could see it.
 */
export function LiveFairness({ fairness, nextCommitment, yourSeat, onClientSeed }: {
  fairness: LiveFairnessInfo | null;
  nextCommitment?: string | null;
  yourSeat?: number | null;
  onClientSeed?: (seed: string) => Promise<void> | void;
}) {
  const next = fairness?.nextCommitment ?? nextCommitment ?? null;
  const yours = yourSeat === null || yourSeat === undefined ? undefined : fairness?.clientSeeds?.find((c) => c.seat === yourSeat);
  return (
    <div>
      {fairness ? (
        <dl className="hash-list">
          <div><dt>Hand</dt><dd>{fairness.handId}</dd></div>
          <div><dt>Seed commitment sha256(seed)</dt><dd className="mono" data-testid="live-commitment">{fairness.commitment}</dd></div>
          {fairness.deckRoot && <div><dt>Deck root</dt><dd className="mono" data-testid="live-deck-root">{fairness.deckRoot}</dd></div>}
          {fairness.clientSeeds && (
            <div><dt>Client seeds in this deck</dt><dd className="mono">{fairness.clientSeeds.length ? fairness.clientSeeds.map((c) => `seat ${c.seat + 1}: ${c.seed}`).join(' · ') : 'none'}</dd></div>
          )}
          {yourSeat !== null && yourSeat !== undefined && fairness.clientSeeds && (
            <div><dt>Your seed</dt><dd>{yours ? `mixed in (${yours.seed})` : 'not set for this hand'}</dd></div>
          )}
          <div><dt>Cards</dt><dd className="small">{fairness.revealed
            ? 'Settled: the record opens the board and the shown hands to everyone and your own cards to you.'
            : 'Each deck position is committed; nothing is opened until the hand settles.'}</dd></div>
        </dl>
      ) : (
        <p className="muted small">No hand dealt yet.</p>
      )}
      {next && <dl className="hash-list"><div><dt>Next hand: seed commitment</dt><dd className="mono" data-testid="live-next-commitment">{next}</dd></div></dl>}
      {onClientSeed && <ClientSeedForm onClientSeed={onClientSeed} />}
    </div>
  );
}
