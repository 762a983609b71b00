import { describe, expect, it } from 'vitest';
import { formatWindows } from '../../server/bots/report';
import { Stats } from '../../server/bots/stats';

// The bots' first and last 15 s: what each second counted, summed over the window's seconds.

describe('bot stats windows', () => {
  it('count actions, hands and top-ups per window, and only while measuring', () => {
    const stats = new Stats();
    stats.actions = 5; // before the play window: not counted
    stats.measuring = true;
    stats.tick(0);
    // Second 0-1: 10 actions, 2 hands, 1 top-up. Second 1-2: 30 actions, 2 hands, 5 top-ups.
    Object.assign(stats, { actions: 15, hands: 2, topUps: 1 });
    stats.tick(1_000);
    Object.assign(stats, { actions: 45, hands: 4, topUps: 6 });
    stats.tick(2_000);
    stats.measuring = false;
    stats.tick(2_000);

    const first = stats.window(0, 1_000, 0);
    expect(first).toMatchObject({ actionsPerSecond: 10, handsPerSecond: 2, topUpsPerHand: 0.5 });
    const last = stats.window(1_000, 2_001, 0);
    expect(last).toMatchObject({ actionsPerSecond: 30, handsPerSecond: 2, topUpsPerHand: 2.5 });
    expect(stats.window(0, 2_001, 0)).toMatchObject({ actionsPerSecond: 20, handsPerSecond: 2, topUpsPerHand: 1.5 });

    const lines = formatWindows({ windows: { first, last } });
    expect(lines.find((l) => l.includes('top-ups/hand'))).toMatch(/0\.50\s+2\.50$/);
  });

  it('keeps the two columns apart for a long run (the header once read "first 0-15 slast 285-300 s")', () => {
    const window = { fromS: 0, toS: 15, actionsPerSecond: 1, handsPerSecond: 1, topUpsPerHand: 1, ackP50Ms: 1, ackP99Ms: 1, errors: 0 };
    const lines = formatWindows({ windows: { first: window, last: { ...window, fromS: 1_785, toS: 1_800 } } });
    expect(lines[0]).toMatch(/first 0-15 s {2,}last 1785-1800 s$/);
    // The figures end where their headers end.
    const ends = lines.map((l) => l.length);
    expect(new Set(ends).size).toBe(1);
  });

  it('gives 0 top-ups per hand for a window without hands', () => {
    const stats = new Stats();
    stats.measuring = true;
    stats.tick(0);
    stats.topUps = 3;
    stats.tick(1_000);
    expect(stats.window(0, 1_000, 0).topUpsPerHand).toBe(0);
  });
});
