import { describe, expect, it } from 'vitest';
import { EXPORTS_WAITING_MAX, ExportLine } from '../../server/http/hands';

describe('the export line', () => {
  it('runs one export at a time, in the order asked, one per user, and refuses past the line', async () => {
    const line = new ExportLine();
    const log: string[] = [];
    const gates = new Map<number, () => void>();
    const job = (user: number) => () => {
      log.push(`start ${user}`);
      return new Promise<number>((resolve) => gates.set(user, () => { log.push(`end ${user}`); resolve(user); }));
    };
    const first = line.run(1, job(1))!;
    const second = line.run(2, job(2))!;
    expect(line.run(1, job(1))).toBeNull(); // user 1 is in the line already
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start 1']);
    gates.get(1)!();
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start 1', 'end 1', 'start 2']);
    // User 1 may ask again once theirs is done.
    const third = line.run(1, job(1))!;
    gates.get(2)!();
    expect(await second).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    gates.get(1)!();
    expect(await third).toBe(1);
  });

  it('holds one running and EXPORTS_WAITING_MAX waiting; a failed export does not stop the line', async () => {
    const line = new ExportLine();
    let release!: () => void;
    const held = line.run(0, () => new Promise<void>((resolve) => (release = resolve)))!;
    const waiting = Array.from({ length: EXPORTS_WAITING_MAX }, (_, i) => line.run(i + 1, async () => { if (i === 0) throw new Error('broken'); return i; }));
    expect(waiting.every((w) => w !== null)).toBe(true);
    expect(line.run(99, async () => 99)).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await held;
    await expect(waiting[0]!).rejects.toThrow('broken');
    expect(await waiting[1]!).toBe(1);
    expect(await line.run(99, async () => 99)).toBe(99);
  });
});
