package dev.aepclient;

/**
 * The client's byte budget ({@code maxBufferedBytes}) was used up: with {@link BufferFullPolicy#FAIL} at once,
 * with {@link BufferFullPolicy#BLOCK} after waiting {@code maxBlock}. Nothing was sent; the caller may retry
 * later or slow down.
 */
public final class AepBufferFullException extends AepDeliveryException {
  private static final long serialVersionUID = 1L;

  /** @param message what was full and for how long; the client fills it in */
  public AepBufferFullException(String message) {
    super(Reason.BUFFER_FULL, message, 0, null);
  }
}
