package dev.aepclient;

/**
 * What {@link AepStreamingClient#send(AepMessage)} does when the client's byte budget
 * ({@code maxBufferedBytes}) is used up by messages that are not yet settled.
 */
public enum BufferFullPolicy {
  /**
   * Wait in {@code send} for space, at most {@code maxBlock}; after that the returned future fails with
   * {@link AepBufferFullException}. The default.
   */
  BLOCK,
  /** Fail the returned future at once with {@link AepBufferFullException}; {@code send} never waits. */
  FAIL
}
