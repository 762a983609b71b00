import { formatChips } from './money';

// What a chips box holds: whole chips, typed as digits (thousands separators and spaces
// allowed). Anything else ("4.5", "-10", "1e2", "abc") is refused with a reason, never
// stripped into another number: "4.5" must not become 45.

export type ChipsInput = { ok: true; amount: number } | { ok: false; problem: string };

export function readChips(text: string, min: number, max: number): ChipsInput {
  const cleaned = text.replace(/[\s,_]/g, '');
  if (cleaned === '') return { ok: false, problem: 'Enter an amount in chips.' };
  if (!/^\d+$/.test(cleaned)) {
    return { ok: false, problem: /^\d*\.\d*$/.test(cleaned) ? 'Chips are whole numbers.' : 'Enter a whole number of chips.' };
  }
  const amount = Number(cleaned);
  if (!Number.isSafeInteger(amount) || amount > max) return { ok: false, problem: `At most ${formatChips(max)}.` };
  if (amount < min) return { ok: false, problem: `At least ${formatChips(min)}.` };
  return { ok: true, amount };
}
