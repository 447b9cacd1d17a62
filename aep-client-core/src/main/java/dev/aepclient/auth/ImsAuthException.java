package dev.aepclient.auth;

import dev.aepclient.AepException;

/**
 * Adobe IMS (or a custom {@link AccessTokenProvider}) refused the credentials: wrong client id or secret, bad
 * scope, bad JWT, unknown technical account. A configuration error: retrying does not help, so the client fails
 * the waiting messages with it as the cause. The message carries IMS's own error text, never a secret.
 */
public final class ImsAuthException extends AepException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status IMS answered, or 0. */
  private final int statusCode;
  /** IMS's error code, or an empty string. */
  private final String error;

  /**
   * @param statusCode the HTTP status IMS answered, or 0 if not from HTTP
   * @param error      IMS's error code (for example {@code invalid_client}), or an empty string
   * @param message    the explanation, with IMS's error description; must not contain secrets
   */
  public ImsAuthException(int statusCode, String error, String message) {
    super(message);
    this.statusCode = statusCode;
    this.error = error == null ? "" : error;
  }

  /** The HTTP status IMS answered (for example 400 or 401), or 0 when the failure did not come from HTTP. */
  public int statusCode() {
    return statusCode;
  }

  /** IMS's error code, such as {@code invalid_client} or {@code invalid_scope}; empty when unknown. */
  public String error() {
    return error;
  }
}
