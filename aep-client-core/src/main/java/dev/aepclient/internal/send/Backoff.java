package dev.aepclient.internal.send;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client's exponential back-off, computed here rather than by Failsafe's {@code withBackoff}: that builder
 * asserts {@code initial < max} and {@code initial < maxDuration}, so legal settings (equal initial and max
 * back-off, a back-off close to a near deadline) would fail every send at run time. Step {@code n} waits
 * {@code initial * 2^n}, capped at {@code max}, with ±25% jitter, and never more than {@code max}. Immutable.
 */
final class Backoff {
  private static final double JITTER = 0.25;

  private final long initialNanos;
  private final long maxNanos;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = Math.max(1, initial.toNanos());
    this.maxNanos = Math.max(this.initialNanos, max.toNanos());
  }

  /** The wait before retry number {@code step + 1} (step 0 is the first retry). */
  long delayNanos(int step) {
    long base = initialNanos;
    for (int i = 0; i < step && base < maxNanos; i++) {
      base = base > maxNanos / 2 ? maxNanos : base * 2;
    }
    base = Math.min(base, maxNanos);
    double factor = 1 - JITTER + ThreadLocalRandom.current().nextDouble() * 2 * JITTER;
    return Math.min(maxNanos, Math.max(1, (long) (base * factor)));
  }
}
