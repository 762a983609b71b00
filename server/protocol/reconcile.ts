// The ledger's reconcile report (server/ledger/reconcile.ts makes it), as GET
// /api/admin/reconcile sends it and the admin page reads it. Chip sums are decimal strings.

export interface Violation {
  code:
    | 'total/nonzero'
    | 'account/entries_mismatch'
    | 'account/negative'
    | 'transfer/unbalanced'
    | 'transfer/no_entries'
    | 'pot/not_empty'
    | 'seat/open_on_closed_table'
    | 'cashier/mismatch'
    | 'checkpoint/mismatch';
  message: string;
  details?: Record<string, string>;
}

export interface ReconcileReport {
  ok: boolean;
  checkedAt: string;
  mode: 'full' | 'incremental';
  durationMs: number;
  accounts: number;
  transfers: number;
  entries: number;
  totalBalance: string;
  chipsSold: string;
  chipsInWallets: string;
  chipsOnTables: string;
  /** In the pots of hands being played (0 between hands: a settlement empties its pot). */
  chipsInPots: string;
  rakeCollected: string;
  /** Granted by admins' adjustments, less what they debited (the house's adjustments account, negated). */
  chipsAdjusted: string;
  violations: Violation[];
  /** Incremental runs: what was taken as proven, what was read, and the checkpoint written (if clean). */
  checkpoint?: {
    fromId: string | null;
    fromEntryId: string;
    toEntryId: string;
    entriesRead: number;
    writtenId: string | null;
  };
}
