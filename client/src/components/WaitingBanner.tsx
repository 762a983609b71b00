import type { ReactNode } from 'react';
import { waitingText, type WaitingForPlayers } from '../tableFlow';

// Shown to everyone at a table that cannot deal (fewer than two players in with
// chips), in place of "next hand starting soon": how many players are missing
// and why the seated ones are not dealt in; `children`: what the viewer can do about it ("I'm back").
export function WaitingBanner({ waiting, children }: { waiting: WaitingForPlayers; children?: ReactNode }) {
  return (
    <div className="waiting-bar waiting-players" role="status" data-testid="waiting-banner">
      <strong>{waitingText(waiting)}</strong>
      {waiting.notes.length > 0 && <span className="waiting-notes">{waiting.notes.join(' · ')}</span>}
      {children}
    </div>
  );
}
