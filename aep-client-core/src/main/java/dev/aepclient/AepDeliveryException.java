package dev.aepclient;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The client gave up on a message without AEP having judged it: the delivery timeout passed while AEP kept
 * failing, authentication failed for good, AEP refused the whole request in a way retrying cannot fix (for
 * example an unknown inlet), the buffer was full, or the client was closed first. The message may be sent
 * again later; {@link #reason()} tells why this attempt ended and {@link #lastStatusCode()} the last HTTP
 * status seen, if any.
 */
public class AepDeliveryException extends AepException {
  private static final long serialVersionUID = 1L;

  /** Why the client gave up. */
  public enum Reason {
    /**
     * {@code deliveryTimeout} passed while AEP answered with retryable errors or could not be reached. When the last
     * request was sent and its answer not read by the deadline, AEP may have accepted the message (as with
     * {@code CLOSED}): sending it again is at-least-once, a duplicate at worst.
     */
    DELIVERY_TIMEOUT,
    /** IMS refused the credentials, or AEP refused a freshly fetched token. */
    AUTHENTICATION,
    /** AEP refused the whole request with a status that retrying cannot fix (404 unknown inlet, 501, ...). */
    REQUEST_REFUSED,
    /** The byte budget was used up ({@link BufferFullPolicy}). */
    BUFFER_FULL,
    /** The client was closed before the message could be delivered. */
    CLOSED
  }

  /** Why the client gave up. */
  private final Reason reason;
  /** AEP's status of the last attempt, or 0. */
  private final int lastStatusCode;

  /**
   * @param reason         why the client gave up
   * @param message        what happened and, where there is one, the fix
   * @param lastStatusCode the last HTTP status received, or 0 for none
   * @param cause          the underlying error, or null
   */
  public AepDeliveryException(Reason reason, String message, int lastStatusCode, Throwable cause) {
    super(message, cause, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.lastStatusCode = lastStatusCode;
  }

  /** Why the client gave up. */
  public Reason reason() {
    return reason;
  }

  /** The last HTTP status AEP or IMS answered before the client gave up; empty when none was received. */
  public OptionalInt lastStatusCode() {
    return lastStatusCode > 0 ? OptionalInt.of(lastStatusCode) : OptionalInt.empty();
  }
}
