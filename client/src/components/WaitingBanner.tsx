import { waitingText, type WaitingForPlayers } from '../tableFlow';

// Shown to everyone at a table that cannot deal (fewer than two players in with
// chips), in place of "next hand starting soon": how many players are missing
// and why the seated ones are not dealt in.
export function WaitingBanner({ waiting }: { waiting: WaitingForPlayers }) {
  return (
    <div className="waiting-bar waiting-players" role="status" data-testid="waiting-banner">
      <strong>{waitingText(waiting)}</strong>
      {waiting.notes.length > 0 && <span className="waiting-notes">{waiting.notes.join(' · ')}</span>}
    </div>
  );
}
