package dev.aepclient.auth;

/**
 * Fetches access tokens for the inlet. The client caches the token it returns until shortly before
 * {@link AccessToken#expiresAt()}, asks again ahead of expiry and after AEP answers 401 or 403, and never calls
 * this from more than one thread at a time (calls come from the client's {@code aep-client-…-auth} thread).
 *
 * <p>Use {@link dev.aepclient.AepAuth#provider(AccessTokenProvider)} to plug in a token source of your own
 * (a vault, a sidecar, another IMS flow).
 */
@FunctionalInterface
public interface AccessTokenProvider {
  /**
   * Fetches a fresh token. May block (it runs on the client's auth thread, never on a caller's).
   *
   * @return a token, never null
   * @throws ImsAuthException when the credentials are refused: the client fails the affected messages at once
   *     instead of retrying
   * @throws Exception any other failure is taken as transient and retried until the delivery timeout
   */
  AccessToken fetchToken() throws Exception;

  /**
   * Whether asking again can give a different token. When false (a fixed token), a 401 or 403 from AEP fails
   * the request at once instead of refreshing and retrying. Default true.
   */
  default boolean canRefresh() {
    return true;
  }
}
