import { describe, expect, it } from 'vitest';
import { transferCtes } from '../../server/ledger/db-helpers';
import { SETTLE_SQL } from '../../server/ledger/transactions';

// The settlement is one statement whose every write hangs off the
// compare-and-swap on the table row (hand number + owner epoch): when the CAS
// updates no row, no transfer, entry, balance, hand or hand player is written.
// This reads the statement itself, so a refactor that loses the gate fails
// here even before the integration tests run.

/** The body of one CTE: `name AS ( ... )` with balanced parentheses. */
function cte(sql: string, name: string): string {
  const start = sql.search(new RegExp(`\\b${name} AS \\(`));
  if (start < 0) throw new Error(`no CTE ${name}`);
  let depth = 0;
  for (let i = sql.indexOf('(', start); i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    if (sql[i] === ')' && --depth === 0) return sql.slice(sql.indexOf('(', start) + 1, i);
  }
  throw new Error(`unbalanced CTE ${name}`);
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the settlement statement is gated by the compare-and-swap', () => {
  it('the CAS updates the table row only for the expected hand number and owner epoch of an open table', () => {
    const cas = squash(cte(SETTLE_SQL, 'cas'));
    expect(cas).toMatch(/^UPDATE poker_tables SET hand_number = \$13::bigint WHERE id = \$12::int AND hand_number = \$13::bigint - 1 AND owner_epoch = \$14::bigint AND status = 'OPEN'/);
    expect(cas).toMatch(/RETURNING id$/);
  });

  it('the transfer row is inserted once per CAS row, and everything else hangs off the transfer', () => {
    expect(squash(cte(SETTLE_SQL, 'tr'))).toMatch(/^INSERT INTO ledger_transfers .* SELECT .* FROM cas RETURNING id$/);
    expect(squash(cte(SETTLE_SQL, 'entries'))).toMatch(/FROM tr CROSS JOIN moves m/);
    expect(squash(cte(SETTLE_SQL, 'balances'))).toMatch(/AND EXISTS \(SELECT 1 FROM tr\)/);
    expect(squash(cte(SETTLE_SQL, 'hand'))).toMatch(/FROM tr RETURNING id$/);
    expect(squash(cte(SETTLE_SQL, 'players'))).toMatch(/FROM hand CROSS JOIN unnest/);
  });

  it('an ungated transfer (every other money function) inserts from VALUES', () => {
    expect(squash(cte(`WITH ${transferCtes()}`, 'tr'))).toMatch(/VALUES \(/);
    expect(squash(cte(`WITH ${transferCtes('gate')}`, 'tr'))).toMatch(/FROM gate RETURNING id$/);
  });
});
