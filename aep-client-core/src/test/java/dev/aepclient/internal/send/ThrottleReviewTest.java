package dev.aepclient.internal.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared pause's jitter spreads requests out; it must not fail one that fits before its deadline. */
class ThrottleReviewTest {
  private static final long MS = 1_000_000;
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final AtomicLong now = new AtomicLong(1_000 * MS);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void jitterAfterASharedPause_neverFailsARequestThatFitsBeforeItsDeadline() {
    Throttle throttle = new Throttle(null, scheduler, now::get,
        new Backoff(Duration.ofMillis(100), Duration.ofMillis(100)));
    throttle.throttled(Duration.ofSeconds(1)); // pause 1 s: resumption spread over up to 250 ms
    long deadline = now.get() + 1_000 * MS + 5 * MS; // the pause ends 5 ms before the deadline
    for (int i = 0; i < 50; i++) {
      CompletableFuture<Boolean> turn = throttle.awaitTurn(deadline, 1);
      assertThat(turn.isDone() && !turn.join()).as("refused at once on try %d", i).isFalse();
    }
  }

  @Test
  void aPauseThatEndsAfterTheDeadline_isRefusedAtOnce() {
    Throttle throttle = new Throttle(null, scheduler, now::get,
        new Backoff(Duration.ofMillis(100), Duration.ofMillis(100)));
    throttle.throttled(Duration.ofSeconds(1));
    CompletableFuture<Boolean> turn = throttle.awaitTurn(now.get() + 999 * MS, 1);
    assertThat(turn).isCompletedWithValue(false);
  }
}
