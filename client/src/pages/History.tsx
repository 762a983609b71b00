import { useState } from 'react';
import { HandsPanel } from '../components/SidePanel';
import '../components/replayer.css';
import { RequireUser } from './RequireUser';

// Your hands: each one to replay action by action, copy or verify, and the download of
// your hands as one PokerStars file (GET /api/hands/mine/export) for Hold'em Manager or
// PokerTracker: the newest N, or those played between two days (in your time zone).

/** What the server exports at most in one file (server/http/hand-history.ts HANDS_EXPORT_MAX). */
const EXPORT_HANDS_MAX = 1000;

type Range = 'last' | 'dates';

/** The export URL; dates are local days, `to` inclusive (so the next midnight, exclusive). */
function exportUrl(range: Range, last: number, fromDay: string, toDay: string): string {
  const query = new URLSearchParams();
  if (range === 'last') query.set('last', String(Math.min(EXPORT_HANDS_MAX, Math.max(1, Math.floor(last) || 1))));
  if (range === 'dates' && fromDay) query.set('from', new Date(`${fromDay}T00:00:00`).toISOString());
  if (range === 'dates' && toDay) {
    const end = new Date(`${toDay}T00:00:00`);
    end.setDate(end.getDate() + 1);
    query.set('to', end.toISOString());
  }
  const text = query.toString();
  return `/api/hands/mine/export${text ? `?${text}` : ''}`;
}

function ExportHands() {
  const [range, setRange] = useState<Range>('last');
  const [last, setLast] = useState(EXPORT_HANDS_MAX);
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  return (
    <form className="history-export" aria-label="Download your hands" onSubmit={(e) => e.preventDefault()}>
      <label className="field compact">
        <span className="field-label">Hands</span>
        <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
          <option value="last">The newest</option>
          <option value="dates">Between two days</option>
        </select>
      </label>
      {range === 'last' ? (
        <label className="field compact">
          <span className="field-label">How many (up to {EXPORT_HANDS_MAX})</span>
          <input type="number" min={1} max={EXPORT_HANDS_MAX} value={last} onChange={(e) => setLast(Number(e.target.value))} />
        </label>
      ) : (
        <>
          <label className="field compact">
            <span className="field-label">From</span>
            <input type="date" value={fromDay} onChange={(e) => setFromDay(e.target.value)} />
          </label>
          <label className="field compact">
            <span className="field-label">To</span>
            <input type="date" value={toDay} onChange={(e) => setToDay(e.target.value)} />
          </label>
        </>
      )}
      <a className="btn btn-gold btn-sm" href={exportUrl(range, last, fromDay, toDay)} download data-testid="export-hands">
        Download my hands
      </a>
    </form>
  );
}

export function HistoryPage() {
  return (
    <RequireUser>
      {() => (
        <section className="panel history-page">
          <h1>Your hands</h1>
          <p className="muted small">
            Replay a hand action by action, copy its history, and verify its shuffle. Download your hands as a
            PokerStars hand-history file to import into Hold&apos;em Manager or PokerTracker.
          </p>
          <ExportHands />
          <HandsPanel settledKey={null} />
        </section>
      )}
    </RequireUser>
  );
}
