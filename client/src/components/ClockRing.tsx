import type { ActionClock } from '@protocol';

// A ring around the avatar of the player to act, emptying towards the deadline.
export function ClockRing({ clock, now }: { clock: ActionClock; now: number }) {
  const leftMs = Math.max(0, clock.deadline - now);
  const fraction = clock.turnMs > 0 ? Math.min(1, leftMs / clock.turnMs) : 0;
  const r = 25;
  const circumference = 2 * Math.PI * r;
  const urgent = leftMs < 5_000;
  return (
    <svg className={`clock-ring ${clock.usingTimeBank ? 'bank' : ''} ${urgent ? 'urgent' : ''}`} viewBox="0 0 56 56" role="timer" aria-label={`${Math.ceil(leftMs / 1000)} seconds left`}>
      <circle cx="28" cy="28" r={r} className="clock-track" />
      <circle cx="28" cy="28" r={r} className="clock-fill" strokeDasharray={circumference} strokeDashoffset={circumference * (1 - fraction)} />
    </svg>
  );
}
