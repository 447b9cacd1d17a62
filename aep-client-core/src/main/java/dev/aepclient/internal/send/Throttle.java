package dev.aepclient.internal.send;

import dev.failsafe.RateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides when the next request of the whole client may start: after any 429 pause (shared by every request,
 * so one 429 slows the client, not only the request that got it) and, when configured, after a permit of the
 * client-side rate limit (Failsafe's smooth {@link RateLimiter}). Waits are scheduled, never slept, and never
 * outlast the caller's deadline.
 *
 * <p>A pause is the client's own back-off step or the server's {@code Retry-After}, whichever is longer: a
 * {@code Retry-After: 0} cannot make the client retry faster than its back-off. 429s that arrive while a pause
 * is already in effect (requests that were in flight together) raise the back-off by one step, not one step
 * each. Requests waiting out a pause resume spread over a quarter of it, not all at the same instant. After a 429,
 * requests are also paced at the message rate AEP sustained ({@link MessagePacer}).
 */
final class Throttle {
  private final AtomicLong pausedUntilNanos; // compared by difference: nanoTime values may be negative
  private final AtomicLong lastPauseNanos = new AtomicLong();
  private final AtomicInteger consecutiveThrottles = new AtomicInteger();
  private final RateLimiter<Object> rateLimiter;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final Backoff backoff;
  private final MessagePacer pacer = new MessagePacer();

  Throttle(RateLimiter<Object> rateLimiter, ScheduledExecutorService scheduler, LongSupplier nanoTime,
      Backoff backoff) {
    this.rateLimiter = rateLimiter;
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
    this.backoff = backoff;
    this.pausedUntilNanos = new AtomicLong(nanoTime.getAsLong());
  }

  /**
   * Completes with true when a request may start, or with false (at once) when the pause or the rate limit
   * would hold it past {@code deadlineNanos}.
   */
  CompletableFuture<Boolean> awaitTurn(long deadlineNanos, int messages) {
    long now = nanoTime.getAsLong();
    long wait = pausedUntilNanos.get() - now;
    if (wait > 0) {
      long spread = lastPauseNanos.get() / 4;
      if (now + wait - deadlineNanos >= 0) {
        return CompletableFuture.completedFuture(false);
      }
      // The jitter spreads resumption out, but never past the deadline: a request that fits must not fail on it.
      long room = deadlineNanos - now - wait - 1;
      long jitter = Math.min(room, spread > 0 ? ThreadLocalRandom.current().nextLong(spread) : 0);
      return delay(wait + jitter).thenCompose(ignored -> awaitTurn(deadlineNanos, messages)); // it may have grown
    }
    // Paced only within the deadline: time booked and then not used would hold back every later request.
    long paced = pacer.reserve(now, messages, deadlineNanos);
    if (paced < 0) {
      return CompletableFuture.completedFuture(false);
    }
    if (paced > 0) {
      return delay(paced).thenCompose(ignored -> awaitTurn(deadlineNanos, 0)); // a pause may have begun meanwhile
    }
    if (rateLimiter != null) {
      // Reserve only a permit that can be used before the deadline: a permit reserved and then not used would
      // push every later request back, and under a burst the limiter's schedule ran minutes ahead, so an idle
      // client failed its next messages without a request.
      long left = deadlineNanos - now - 1;
      if (left < 0) {
        return CompletableFuture.completedFuture(false);
      }
      Duration permitWait = rateLimiter.tryReservePermit(Duration.ofNanos(left));
      if (permitWait.isNegative()) {
        return CompletableFuture.completedFuture(false);
      }
      if (!permitWait.isZero()) {
        return delay(permitWait.toNanos()).thenApply(ignored -> true);
      }
    }
    return CompletableFuture.completedFuture(true);
  }

  /**
   * AEP answered 429 (or sent {@code Retry-After}): pause every request for the longer of {@code retryAfter}
   * and the back-off step of the current streak of 429s.
   *
   * @return the pause applied
   */
  Duration throttled(Duration retryAfter) {
    long now = nanoTime.getAsLong();
    pacer.throttled(now);
    boolean pauseInEffect = pausedUntilNanos.get() - now > 0;
    // A 429 that meets a pause in effect belongs to the same burst: it does not raise the back-off again.
    int streak = pauseInEffect ? Math.max(1, consecutiveThrottles.get()) : consecutiveThrottles.incrementAndGet();
    long pause = backoff.delayNanos(streak - 1);
    if (retryAfter != null) {
      pause = Math.max(pause, retryAfter.toNanos());
    }
    long until = now + pause;
    pausedUntilNanos.accumulateAndGet(until, (a, b) -> a - b >= 0 ? a : b);
    lastPauseNanos.set(pause);
    return Duration.ofNanos(pause);
  }

  /** A request of {@code messages} got through: the next 429 starts the back-off from the beginning. */
  void succeeded(int messages) {
    pacer.accepted(messages);
    if (consecutiveThrottles.get() != 0) {
      consecutiveThrottles.set(0);
    }
  }

  /** The message rate requests are paced at, 0 while AEP has not throttled the client. */
  double pacedRate() {
    return pacer.rate();
  }

  private CompletableFuture<Void> delay(long nanos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      var unused = scheduler.schedule(() -> done.complete(null), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(e);
    }
    return done;
  }
}
