export * from './errors';
export * from './messages';
export * from './frames';
export type { ReconcileReport, Violation } from './reconcile';
export * from './table-feed';
export * from './text';
