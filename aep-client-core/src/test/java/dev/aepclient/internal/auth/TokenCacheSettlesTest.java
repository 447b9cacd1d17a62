package dev.aepclient.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.aepclient.auth.AccessToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Whatever a token fetch meets, an Error included, the shared fetch settles: no caller waits forever, and the next
 * call starts a fresh fetch instead of joining one that can never end.
 */
class TokenCacheSettlesTest {

  @Test
  void anExecutorThatCannotStartTheFetch_failsTheCall_andTheNextCallFetchesAnew() throws Exception {
    AtomicInteger executions = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      TokenCache cache = new TokenCache(() -> new AccessToken("t", Instant.now().plusSeconds(600)), task -> {
        if (executions.incrementAndGet() == 1) {
          throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
        }
        pool.execute(task);
      }, Clock.systemUTC());

      CompletableFuture<AccessToken>[] first = new CompletableFuture[1];
      assertThatCode(() -> first[0] = cache.token()).as("token() never throws").doesNotThrowAnyException();
      assertThat(first[0]).isCompletedExceptionally();
      assertThat(cache.token().get(5, TimeUnit.SECONDS).value()).isEqualTo("t");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailureWhoseToStringThrows_stillSettlesTheWaiters() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      TokenCache cache = new TokenCache(() -> {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("refused") {
            private static final long serialVersionUID = 1L;

            @Override
            @SuppressWarnings("OverrideThrowableToString") // a hostile toString is what this test needs
            public String toString() {
              throw new UnsupportedOperationException("a hostile toString");
            }
          };
        }
        return new AccessToken("second", Instant.now().plusSeconds(600));
      }, pool, Clock.systemUTC());

      CompletableFuture<AccessToken> waiting = cache.token();
      // (not failsWithin: AssertJ would call the hostile toString itself)
      assertThat(waiting.handle((token, failure) -> failure != null).get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(cache.token().get(5, TimeUnit.SECONDS).value()).isEqualTo("second");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anErrorFromTheProvider_failsEveryWaiter_once() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      TokenCache cache = new TokenCache(() -> {
        throw new StackOverflowError("deep");
      }, pool, Clock.systemUTC());
      CompletableFuture<AccessToken> a = cache.token();
      CompletableFuture<AccessToken> b = cache.token();
      assertThat(a).failsWithin(Duration.ofSeconds(5));
      assertThat(b).failsWithin(Duration.ofSeconds(5));
    } finally {
      pool.shutdownNow();
    }
  }
}
