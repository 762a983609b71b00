import type { TableFrame, TableNotice } from '../../server/protocol';
import type { TableActor } from '../../server/tables/actor';
import type { Clock } from '../../server/tables/clock';
import type { TableOutput } from '../../server/tables/output';

// A manual clock and a recording transport for driving a table actor in tests.

export class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  /** Moves time forward, firing due timers in order (and letting the actor finish each, when given). */
  async advance(ms: number, actor?: TableActor): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
      await actor?.idle();
    }
    this.time = end;
    await actor?.idle();
  }
}

export function recordingOutput() {
  const frames = new Map<number, TableFrame[]>();
  const notices: TableNotice[] = [];
  const output: TableOutput = {
    toUser: (userId, frame) => frames.set(userId, [...(frames.get(userId) ?? []), frame]),
    toSpectators: (_t, frame) => frames.set(0, [...(frames.get(0) ?? []), frame]),
    chat: () => undefined,
    equity: () => undefined,
    notice: (_u, n) => notices.push(n),
    tableNotice: (_t, n) => notices.push(n),
    seatChanged: () => undefined,
    walletChanged: () => undefined,
  };
  const events = (userId: number) => (frames.get(userId) ?? []).flatMap((f) => f.events);
  return { output, frames, notices, events };
}
