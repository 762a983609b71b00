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

const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The export URL, or why the inputs cannot make one: nothing typed is changed on the quiet
 * (0 is not 1, 2.5 is not 2) and a range needs both of its days. Dates are local days, `to`
 * inclusive (so the next midnight, exclusive).
 */
function exportUrl(range: Range, lastText: string, fromDay: string, toDay: string): { url: string } | { problem: string } {
  const query = new URLSearchParams();
  if (range === 'last') {
    const last = /^\d{1,4}$/.test(lastText.trim()) ? Number(lastText.trim()) : NaN;
    if (!(last >= 1 && last <= EXPORT_HANDS_MAX)) return { problem: `How many: a whole number of hands from 1 to ${EXPORT_HANDS_MAX}.` };
    query.set('last', String(last));
  } else {
    if (!DAY_TEXT.test(fromDay) || !DAY_TEXT.test(toDay)) return { problem: 'Pick both days, the first and the last.' };
    if (fromDay > toDay) return { problem: 'The first day must not be after the last.' };
    query.set('from', new Date(`${fromDay}T00:00:00`).toISOString());
    const end = new Date(`${toDay}T00:00:00`);
    end.setDate(end.getDate() + 1);
    query.set('to', end.toISOString());
  }
  return { url: `/api/hands/mine/export?${query.toString()}` };
}

function ExportHands() {
  const [range, setRange] = useState<Range>('last');
  const [last, setLast] = useState(String(EXPORT_HANDS_MAX));
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const target = exportUrl(range, last, fromDay, toDay);
  const problem = 'problem' in target ? target.problem : null;
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
          <input type="number" min={1} max={EXPORT_HANDS_MAX} step={1} value={last} onChange={(e) => setLast(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? 'export-problem' : undefined} />
        </label>
      ) : (
        <>
          <label className="field compact">
            <span className="field-label">From</span>
            <input type="date" value={fromDay} onChange={(e) => setFromDay(e.target.value)} aria-describedby={problem ? 'export-problem' : undefined} />
          </label>
          <label className="field compact">
            <span className="field-label">To</span>
            <input type="date" value={toDay} onChange={(e) => setToDay(e.target.value)} aria-describedby={problem ? 'export-problem' : undefined} />
          </label>
        </>
      )}
      {/* A link cannot be disabled: until the inputs make a request, the download is a disabled button. */}
      {'url' in target ? (
        <a className="btn btn-gold btn-sm" href={target.url} download data-testid="export-hands">
          Download my hands
        </a>
      ) : (
        <button type="button" className="btn btn-gold btn-sm" disabled aria-describedby="export-problem" data-testid="export-hands">
          Download my hands
        </button>
      )}
      {problem && <span className="field-error" id="export-problem" data-testid="export-problem">{problem}</span>}
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
