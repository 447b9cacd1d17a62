package dev.aepclient.internal.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of durations in microseconds: 16 sub-buckets per power of two, so a
 * percentile is off by at most about 6%. Recording is one atomic increment; fixed memory (a few KB).
 */
public final class LatencyHistogram {
  private static final int SUB_BITS = 4;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = (64 - SUB_BITS) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  public void record(long nanos) {
    counts.incrementAndGet(Math.min(BUCKETS - 1, index(Math.max(0, nanos / 1000))));
  }

  static int index(long micros) {
    if (micros < SUB) {
      return (int) micros;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(micros); // >= SUB_BITS
    int shift = exponent - SUB_BITS;
    int sub = (int) (micros >>> shift) & (SUB - 1);
    return (shift + 1) * SUB + sub;
  }

  /** The upper bound of a bucket, in microseconds. */
  static long upperBound(int index) {
    if (index < SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long sub = index % SUB;
    return ((SUB + sub + 1) << shift) - 1;
  }

  /** The {@code quantile} (0..1) of everything recorded so far; zero when nothing was recorded. */
  public Duration percentile(double quantile) {
    long total = 0;
    long[] snapshot = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    if (total == 0) {
      return Duration.ZERO;
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank && snapshot[i] > 0) {
        return Duration.ofNanos(upperBound(i) * 1000);
      }
    }
    return Duration.ofNanos(upperBound(BUCKETS - 1) * 1000);
  }
}
