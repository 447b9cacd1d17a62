package dev.aepclient.kafka;

/** What to do with a record whose value is null (a tombstone); the mapper never sees one. */
public enum TombstonePolicy {
  /** Settle it at once without sending anything (counted in {@link AepKafkaMetrics#recordsSkipped()}). */
  SKIP,
  /** Hand it to the dead-letter handler, as an unmappable record (the default). */
  DEAD_LETTER,
  /** Stop forwarding with {@link AepForwardingException}; its offset is not committed. */
  FAIL
}
