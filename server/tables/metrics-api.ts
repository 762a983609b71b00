// What a table actor reports; server/metrics.ts implements it with prom-client.
export interface ActorMetrics {
  actionAck(action: string, seconds: number): void;
  settlement(seconds: number): void;
  /** The hand boundary after a settled hand (queued cash-outs, entries, top-ups, sit-outs), seconds. */
  handBoundary?(seconds: number): void;
  handSettled(): void;
  /** A hand whose settlement could not be committed was voided (an incident). */
  handVoided?(reason: string): void;
}
