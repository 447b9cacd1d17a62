package dev.aepclient.kafka;

import dev.aepclient.AepException;

/**
 * Forwarding had to stop: AEP stayed unavailable past the delivery timeout, authentication failed for good, a record
 * was rejected with no {@link DeadLetterHandler} configured, or the dead-letter handler failed. The offsets of the
 * records concerned were not committed: restarting resends them. {@link #getCause()} has the original error.
 */
public final class AepForwardingException extends AepException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message why forwarding stopped, naming the records concerned where known
   * @param cause   the original error
   */
  public AepForwardingException(String message, Throwable cause) {
    super(message, cause);
  }
}
