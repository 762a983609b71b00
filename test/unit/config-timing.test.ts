import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { RUN_OUT_STREET_MS_MAX, SHOWDOWN_HOLD_MS_MAX } from '../../server/protocol';
import { DEFAULT_TABLE_SETTINGS } from '../../server/tables/settings';

// The process-wide showdown hold and run-out pace (SHOWDOWN_HOLD_MS, RUN_OUT_STREET_MS,
// HAND_INTERVAL_MS). server/config.ts is a leaf that imports nothing of the server, so its
// defaults and limits are written out there: this pins them to the table settings and to
// the range an admin may give one table.

describe('table timing from the environment', () => {
  it('defaults to the table settings', () => {
    const config = loadConfig({});
    expect([config.SHOWDOWN_HOLD_MS, config.RUN_OUT_STREET_MS, config.HAND_INTERVAL_MS])
      .toEqual([DEFAULT_TABLE_SETTINGS.showdownHoldMs, DEFAULT_TABLE_SETTINGS.runOutStreetMs, DEFAULT_TABLE_SETTINGS.handIntervalMs]);
  });

  it('accepts whole milliseconds up to the per-table limits, 0 included', () => {
    expect(loadConfig({ SHOWDOWN_HOLD_MS: '0', RUN_OUT_STREET_MS: '0' })).toMatchObject({ SHOWDOWN_HOLD_MS: 0, RUN_OUT_STREET_MS: 0 });
    expect(loadConfig({ SHOWDOWN_HOLD_MS: String(SHOWDOWN_HOLD_MS_MAX), RUN_OUT_STREET_MS: String(RUN_OUT_STREET_MS_MAX) }))
      .toMatchObject({ SHOWDOWN_HOLD_MS: SHOWDOWN_HOLD_MS_MAX, RUN_OUT_STREET_MS: RUN_OUT_STREET_MS_MAX });
    // Blank is unset, as for every variable.
    expect(loadConfig({ SHOWDOWN_HOLD_MS: ' ' }).SHOWDOWN_HOLD_MS).toBe(DEFAULT_TABLE_SETTINGS.showdownHoldMs);
  });

  it.each([
    ['SHOWDOWN_HOLD_MS', String(SHOWDOWN_HOLD_MS_MAX + 1)],
    ['SHOWDOWN_HOLD_MS', '-1'],
    ['SHOWDOWN_HOLD_MS', '4.5'],
    ['SHOWDOWN_HOLD_MS', '4s'],
    ['RUN_OUT_STREET_MS', String(RUN_OUT_STREET_MS_MAX + 1)],
    ['RUN_OUT_STREET_MS', '-1'],
    ['HAND_INTERVAL_MS', '60001'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });
});
