import type { ActionClock } from '@protocol';

function timeLeft(clock: ActionClock, now: number): { leftMs: number; fraction: number; urgent: boolean } {
  const leftMs = Math.max(0, clock.deadline - now);
  return { leftMs, fraction: clock.turnMs > 0 ? Math.min(1, leftMs / clock.turnMs) : 0, urgent: leftMs < 5_000 };
}

// A ring around the avatar of the player to act, emptying towards the deadline.
export function ClockRing({ clock, now }: { clock: ActionClock; now: number }) {
  const { leftMs, fraction, urgent } = timeLeft(clock, now);
  const r = 25;
  const circumference = 2 * Math.PI * r;
  return (
    <svg className={`clock-ring ${clock.usingTimeBank ? 'bank' : ''} ${urgent ? 'urgent' : ''}`} viewBox="0 0 56 56" role="timer" aria-label={`${Math.ceil(leftMs / 1000)} seconds left`}>
      <circle cx="28" cy="28" r={r} className="clock-track" />
      <circle cx="28" cy="28" r={r} className="clock-fill" strokeDasharray={circumference} strokeDashoffset={circumference * (1 - fraction)} />
    </svg>
  );
}

/**
 * The same clock as a bar along the foot of the seat's plate, for plates without the avatar (an
 * upright phone's 9-10 seats, styles.css): the ring there took the room of two or three letters
 * of the name of the seat to act. CSS shows either the ring or the bar, never both.
 */
export function ClockBar({ clock, now }: { clock: ActionClock; now: number }) {
  const { leftMs, fraction, urgent } = timeLeft(clock, now);
  return (
    <span className={`clock-bar ${clock.usingTimeBank ? 'bank' : ''} ${urgent ? 'urgent' : ''}`} role="timer" aria-label={`${Math.ceil(leftMs / 1000)} seconds left`}>
      <span className="clock-bar-fill" style={{ width: `${fraction * 100}%` }} />
    </span>
  );
}
