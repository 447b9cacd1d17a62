package dev.aepclient.internal.auth;

import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.AccessTokenProvider;
import java.time.Instant;

/** A token handed in by the user: never expires as far as the client knows, and cannot be refreshed. */
public final class FixedTokenProvider implements AccessTokenProvider {
  private final AccessToken token;

  public FixedTokenProvider(String token) {
    this.token = new AccessToken(token, Instant.MAX);
  }

  @Override
  public AccessToken fetchToken() {
    return token;
  }

  @Override
  public boolean canRefresh() {
    return false;
  }

  @Override
  public String toString() {
    return "FixedTokenProvider[****]";
  }
}
