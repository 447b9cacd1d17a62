package dev.aepclient;

/**
 * Base class of the exceptions this library reports. Unchecked: outcomes of a send arrive through its
 * {@link java.util.concurrent.CompletableFuture}, configuration errors at {@code build()}.
 */
public class AepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong, never a secret */
  public AepException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, never a secret
   * @param cause   the underlying error
   */
  public AepException(String message, Throwable cause) {
    super(message, cause);
  }

  /** For per-message outcomes: many are created under load and a stack trace of an I/O thread helps nobody. */
  protected AepException(String message, Throwable cause, boolean writableStackTrace) {
    super(message, cause, true, writableStackTrace);
  }
}
