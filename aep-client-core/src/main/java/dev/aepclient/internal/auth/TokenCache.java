package dev.aepclient.internal.auth;

import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.AccessTokenProvider;
import dev.aepclient.internal.util.RemoteText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cached token per client. A token is refreshed ahead of expiry (at the latest 5 minutes before, earlier for
 * short-lived tokens) by a single fetch on the auth executor while every other caller keeps using the valid
 * token; when there is no valid token, callers share the one fetch in progress (single flight). Thread-safe.
 */
public final class TokenCache {
  private static final Logger log = LoggerFactory.getLogger(TokenCache.class);
  private static final Duration MAX_REFRESH_MARGIN = Duration.ofMinutes(5);

  private record Entry(AccessToken token, Instant refreshAt) {}

  private final AccessTokenProvider provider;
  private final Executor executor;
  private final Clock clock;
  private volatile Entry current;
  private CompletableFuture<AccessToken> fetching; // guarded by this

  public TokenCache(AccessTokenProvider provider, Executor executor, Clock clock) {
    this.provider = provider;
    this.executor = executor;
    this.clock = clock;
  }

  /** A valid token: at once when cached, else when the shared fetch completes. Never throws. */
  public CompletableFuture<AccessToken> token() {
    Entry entry = current;
    if (entry != null) {
      Instant now = clock.instant();
      if (now.isBefore(entry.token.expiresAt())) {
        if (!now.isBefore(entry.refreshAt)) {
          var unused = fetch(); // ahead of expiry: one background fetch, the valid token serves meanwhile
        }
        return CompletableFuture.completedFuture(entry.token);
      }
    }
    return fetch();
  }

  /** Forgets {@code rejected} if it is still the cached token, so the next {@link #token()} fetches anew. */
  public void invalidate(AccessToken rejected) {
    Entry entry = current;
    if (entry != null && entry.token == rejected) {
      current = null;
      log.debug("access token refused by AEP; dropping it from the cache");
    }
  }

  /** Whether a refused token can be replaced by asking the provider again. */
  public boolean canRefresh() {
    return provider.canRefresh();
  }

  private synchronized CompletableFuture<AccessToken> fetch() {
    if (fetching != null) {
      return fetching;
    }
    CompletableFuture<AccessToken> result = new CompletableFuture<>();
    fetching = result;
    try {
      executor.execute(() -> runFetch(result));
    } catch (Throwable e) { // RejectedExecutionException, or no thread could be made: waiters must not hang
      fetching = null;
      result.completeExceptionally(e);
    }
    return result;
  }

  private void runFetch(CompletableFuture<AccessToken> result) {
    AccessToken token = null;
    Throwable failure = null;
    try {
      token = provider.fetchToken();
      if (token == null) {
        throw new IllegalStateException(provider.getClass().getName() + ".fetchToken() returned null");
      }
      current = new Entry(token, refreshAt(token));
    } catch (Throwable e) { // whatever happens (an Error too), the shared fetch settles and the next one can start
      failure = e;
    } finally {
      synchronized (this) {
        fetching = null;
      }
      if (failure != null) {
        result.completeExceptionally(failure);
      } else {
        result.complete(token);
      }
    }
    if (failure != null) {
      logFailure(failure);
    }
  }

  /** Logged after the waiters are settled: a failure's text may come from IMS, and its toString may throw. */
  private static void logFailure(Throwable failure) {
    try {
      log.warn("could not fetch an access token: {}", RemoteText.sanitize(failure.toString()));
    } catch (RuntimeException e) {
      log.warn("could not fetch an access token: {}", failure.getClass().getName());
    }
  }

  private Instant refreshAt(AccessToken token) {
    if (token.expiresAt().equals(Instant.MAX)) {
      return Instant.MAX;
    }
    Duration lifetime = Duration.between(clock.instant(), token.expiresAt());
    Duration half = lifetime.dividedBy(2);
    Duration margin = half.compareTo(MAX_REFRESH_MARGIN) < 0 ? half : MAX_REFRESH_MARGIN;
    return token.expiresAt().minus(margin);
  }
}
