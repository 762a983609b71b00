import { useState } from 'react';
import { toast } from '../store';
import { toggleNotifyTurn, useNotifyTurn } from '../turnCue';

// "Notify me when it's my turn": a browser notification naming the table while
// the tab is in the background. Permission is asked only from this click, and
// the choice is remembered in the browser (turnCue.ts).

/** The setting, and a click's toggle of it (the bell here, an item of a phone's table menu). */
export function useNotifyToggle(): { on: boolean; asking: boolean; toggle: () => Promise<void> } {
  const on = useNotifyTurn();
  const [asking, setAsking] = useState(false);
  const toggle = async () => {
    setAsking(true);
    const problem = await toggleNotifyTurn(!on);
    setAsking(false);
    if (problem) toast(problem, 'warning');
    else if (!on) toast('You will be notified when it is your turn while this tab is in the background.', 'success');
  };
  return { on, asking, toggle };
}

export function NotifyToggle() {
  const { on, asking, toggle } = useNotifyToggle();
  return (
    <button
      className="btn btn-ghost btn-sm notify-btn" aria-pressed={on} aria-label="Notify me when it's my turn"
      title={on ? 'Turn notifications are on (click to stop them)' : 'Get a notification naming the table when it is your turn'} disabled={asking} onClick={() => void toggle()} data-testid="notify-toggle"
    >
      <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z" fill={on ? 'currentColor' : 'none'} />
        <path d="M10 21h4" />
        {!on && <path d="M3 3l18 18" />}
      </svg>
      <span className="notify-label">Notify me</span>
    </button>
  );
}
