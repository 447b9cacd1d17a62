package dev.aepclient.testkit.internal;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * How long an answer takes to reach the client: a round trip of {@code fixed + uniform[0, jitter]} (seeded), plus
 * the time the request and answer bytes queue on one shared link of the configured bandwidth. The link is modelled,
 * not throttled byte by byte: the answer is released when its bytes would have crossed. Thread-safe.
 */
public final class NetworkModel {
  private final long fixedNanos;
  private final long jitterNanos;
  private final long bytesPerSecond;
  private final SplittableRandom random;
  private long linkFreeAtNanos;

  public NetworkModel(Duration fixed, Duration jitter, long bytesPerSecond, long seed) {
    this.fixedNanos = fixed.toNanos();
    this.jitterNanos = jitter.toNanos();
    this.bytesPerSecond = bytesPerSecond;
    this.random = new SplittableRandom(seed);
  }

  /** True when answers leave at once (no latency, no bandwidth cap). */
  public boolean instant() {
    return fixedNanos == 0 && jitterNanos == 0 && bytesPerSecond == 0;
  }

  /** Nanoseconds from now until an exchange of {@code bytes} (request plus answer) is answered. */
  public synchronized long delayNanos(long bytes) {
    long delay = fixedNanos + (jitterNanos == 0 ? 0 : random.nextLong(jitterNanos + 1));
    if (bytesPerSecond > 0) {
      long now = System.nanoTime();
      long transfer = (long) (bytes * 1e9 / bytesPerSecond);
      linkFreeAtNanos = Math.max(linkFreeAtNanos, now) + transfer;
      delay = Math.max(delay, linkFreeAtNanos - now);
    }
    return delay;
  }
}
