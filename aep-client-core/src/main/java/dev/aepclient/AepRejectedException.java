package dev.aepclient;

/**
 * AEP refused this message itself: a per-message {@code statusCode} in a 207 answer, or a whole-request 400/413
 * narrowed down to this message by splitting the batch. Permanent: sending the same message again gets the
 * same answer, so the client does not retry it. Typical causes: the message does not match its XDM schema,
 * unknown dataset, malformed message.
 */
public final class AepRejectedException extends AepException {
  private static final long serialVersionUID = 1L;

  /** AEP's status for this message. */
  private final int statusCode;
  /** AEP's text for this message, or an empty string. */
  private final String reason;

  /**
   * @param statusCode AEP's status for this message
   * @param reason     AEP's text for it, or null
   */
  public AepRejectedException(int statusCode, String reason) {
    super("AEP rejected the message: " + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason),
        null, false);
    this.statusCode = statusCode;
    this.reason = reason == null ? "" : reason;
  }

  /** The status AEP gave this message (for example 400). */
  public int statusCode() {
    return statusCode;
  }

  /** AEP's own text for this message, or an empty string when it gave none. */
  public String reason() {
    return reason;
  }
}
