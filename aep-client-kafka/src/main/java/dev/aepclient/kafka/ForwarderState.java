package dev.aepclient.kafka;

/** Where a bridge or forwarder stands; see {@link ForwarderHealth} and {@link StateListener}. */
public enum ForwarderState {
  /** Forwarding: AEP answers, offsets move. */
  RUNNING,
  /**
   * AEP is unavailable (the client gave up on a delivery): partitions are paused, the consumer keeps polling so it
   * stays in its group, and the undelivered records are sent again with back-off until AEP answers. Nothing is
   * committed past them. Ends in {@link #RUNNING} when a delivery succeeds, or {@link #STOPPED} after
   * {@code stopAfter}.
   */
  DEGRADED,
  /** Stopped for good, with a cause unless it was closed; build a new one to restart. */
  STOPPED
}
