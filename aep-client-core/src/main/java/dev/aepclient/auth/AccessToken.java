package dev.aepclient.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A bearer token for AEP and the instant it stops being valid. Immutable. {@link #toString()} masks the value,
 * so a token can be logged by accident without leaking.
 */
public final class AccessToken {
  private final String value;
  private final Instant expiresAt;

  /**
   * @param value     the bearer token
   * @param expiresAt when it stops being valid; {@link Instant#MAX} when unknown
   * @throws IllegalArgumentException if {@code value} is null or blank
   */
  public AccessToken(String value, Instant expiresAt) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("access token is empty");
    }
    this.value = value;
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The bearer token itself. Never log it. */
  public String value() {
    return value;
  }

  /** When the token stops being valid; the client refreshes it ahead of this time. */
  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public String toString() {
    return "AccessToken[****, expiresAt=" + expiresAt + "]";
  }
}
