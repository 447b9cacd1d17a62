package dev.aepclient.internal.send;

import dev.failsafe.RateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides when the next request of the whole client may start: after any 429 pause (shared by every request,
 * so one 429 slows the client, not only the request that got it) and, when configured, after a permit of the
 * client-side rate limit (Failsafe's smooth {@link RateLimiter}). Waits are scheduled, never slept.
 */
final class Throttle {
  private final AtomicLong pausedUntilNanos; // compared by difference: nanoTime values may be negative
  private final AtomicInteger consecutiveThrottles = new AtomicInteger();
  private final RateLimiter<Object> rateLimiter;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final Duration initialPause;
  private final Duration maxPause;

  Throttle(RateLimiter<Object> rateLimiter, ScheduledExecutorService scheduler, LongSupplier nanoTime,
      Duration initialPause, Duration maxPause) {
    this.rateLimiter = rateLimiter;
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
    this.initialPause = initialPause;
    this.maxPause = maxPause;
    this.pausedUntilNanos = new AtomicLong(nanoTime.getAsLong());
  }

  /** Completes when a request may start. */
  CompletableFuture<Void> awaitTurn() {
    long wait = pausedUntilNanos.get() - nanoTime.getAsLong();
    if (wait > 0) {
      return delay(wait).thenCompose(ignored -> awaitTurn()); // the pause may have grown meanwhile
    }
    if (rateLimiter != null) {
      Duration permitWait = rateLimiter.reservePermit();
      if (!permitWait.isZero()) {
        return delay(permitWait.toNanos());
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * AEP answered 429: pause every request for {@code retryAfter}, or, without one, for an exponentially growing
   * pause with jitter.
   *
   * @return the pause applied
   */
  Duration throttled(Duration retryAfter) {
    int streak = consecutiveThrottles.incrementAndGet();
    Duration pause = retryAfter;
    if (pause == null) {
      long base = initialPause.toNanos() << Math.min(streak - 1, 20);
      long capped = Math.min(base, maxPause.toNanos());
      pause = Duration.ofNanos((long) (capped * (0.75 + Math.random() * 0.5)));
    }
    long until = nanoTime.getAsLong() + pause.toNanos();
    pausedUntilNanos.accumulateAndGet(until, (a, b) -> a - b >= 0 ? a : b);
    return pause;
  }

  /** A request got through: the next 429 starts the back-off from the beginning. */
  void succeeded() {
    if (consecutiveThrottles.get() != 0) {
      consecutiveThrottles.set(0);
    }
  }

  private CompletableFuture<Void> delay(long nanos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      scheduler.schedule(() -> done.complete(null), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(e);
    }
    return done;
  }
}
