import { HandsPanel } from '../components/SidePanel';
import { RequireUser } from './RequireUser';

export function HistoryPage() {
  return (
    <RequireUser>
      {() => (
        <section className="panel history-page">
          <h1>Your hands</h1>
          <p className="muted small">Replay a hand street by street, copy its history, and verify its shuffle.</p>
          <HandsPanel settledKey={null} />
        </section>
      )}
    </RequireUser>
  );
}
