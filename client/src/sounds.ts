import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { TableState } from './tableState';

// Sound cues made on the fly with the Web Audio API (no asset files): a card
// dealt, chips in, a check, a fold, and your turn. Muting is remembered in
// localStorage. Browsers keep audio suspended until the page has had a click or
// a key press, so the first cues of a visit may be silent; that is expected.

export type Cue = 'deal' | 'chip' | 'check' | 'fold' | 'turn';

const mutedKey = 'atomic-poker.muted';
/** Loudness of every cue, 0..1 of full scale: cues sit under speech and music. */
const cueGain = 0.18;
/** Cues closer together than this are dropped, so a burst of frames makes one sound. */
const cueGapMinMs = 60;

interface Tone {
  type: OscillatorType;
  fromHz: number;
  toHz: number;
  startMs: number;
  lengthMs: number;
}

const CUES: Record<Cue, Tone[]> = {
  deal: [{ type: 'triangle', fromHz: 1400, toHz: 700, startMs: 0, lengthMs: 45 }],
  chip: [
    { type: 'square', fromHz: 2400, toHz: 2200, startMs: 0, lengthMs: 30 },
    { type: 'square', fromHz: 2900, toHz: 2700, startMs: 55, lengthMs: 30 },
  ],
  check: [
    { type: 'sine', fromHz: 190, toHz: 140, startMs: 0, lengthMs: 60 },
    { type: 'sine', fromHz: 190, toHz: 140, startMs: 110, lengthMs: 60 },
  ],
  fold: [{ type: 'sine', fromHz: 420, toHz: 180, startMs: 0, lengthMs: 160 }],
  turn: [
    { type: 'sine', fromHz: 660, toHz: 660, startMs: 0, lengthMs: 140 },
    { type: 'sine', fromHz: 880, toHz: 880, startMs: 150, lengthMs: 220 },
  ],
};

let context: AudioContext | null = null;
let lastCueAt = 0;
let muted = readMuted();
const listeners = new Set<() => void>();

function readMuted(): boolean {
  try {
    return localStorage.getItem(mutedKey) === '1';
  } catch {
    return false;
  }
}

export function setMuted(next: boolean): void {
  muted = next;
  try {
    localStorage.setItem(mutedKey, next ? '1' : '0');
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  for (const l of listeners) l();
}

export function useMuted(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => muted,
  );
}

export function playCue(cue: Cue): void {
  if (muted || typeof AudioContext === 'undefined') return;
  const nowMs = performance.now();
  if (nowMs - lastCueAt < cueGapMinMs) return;
  lastCueAt = nowMs;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume().catch(() => {});
  for (const tone of CUES[cue]) playTone(context, tone);
}

function playTone(ctx: AudioContext, tone: Tone): void {
  const start = ctx.currentTime + tone.startMs / 1000;
  const end = start + tone.lengthMs / 1000;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = tone.type;
  osc.frequency.setValueAtTime(tone.fromHz, start);
  osc.frequency.exponentialRampToValueAtTime(tone.toHz, end);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(cueGain, start + 0.008);
  gain.gain.exponentialRampToValueAtTime(0.0001, end);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(end + 0.02);
}

/** The cue for a seat's new last-action badge ("Fold", "Check", "Call 4", "Raise to 12", …). */
export function cueForAction(action: string): Cue {
  const verb = action.split(' ')[0]!.toLowerCase();
  return verb === 'fold' ? 'fold' : verb === 'check' ? 'check' : 'chip';
}

/** Plays the table's cues as its state changes: deals, actions, and the turn coming to you. */
export function useTableSounds(state: TableState | null, myTurn: boolean): void {
  const previous = useRef<{ handId: string | null; board: number; actions: Record<number, string>; myTurn: boolean } | null>(null);
  useEffect(() => {
    if (!state) return;
    const now = { handId: state.view.handId, board: state.view.board.length, actions: state.lastAction, myTurn };
    const before = previous.current;
    previous.current = now;
    if (!before) return;
    if (myTurn && !before.myTurn) return playCue('turn');
    if ((now.handId !== null && now.handId !== before.handId) || now.board > before.board) return playCue('deal');
    const changed = Object.entries(now.actions).find(([seat, text]) => before.actions[Number(seat)] !== text);
    if (changed) playCue(cueForAction(changed[1]));
  }, [state, myTurn]);
}
