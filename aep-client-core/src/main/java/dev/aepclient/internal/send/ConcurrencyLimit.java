package dev.aepclient.internal.send;

/**
 * How many requests the client may have in flight: fixed, or adapted to what the service sustains.
 *
 * <p>The adaptive limit is additive-increase/multiplicative-decrease, as TCP's congestion control: it starts
 * small, doubles every round trip while answers come back as fast as the fastest seen (slow start), then grows by
 * about one request per round trip; it halves on a 429 or 503 (at most once per round trip, so a burst of
 * simultaneous refusals counts once) and shrinks by a tenth, not below where it started, when the smoothed round
 * trip grows well above the fastest seen (the service is queueing; one slow answer is noise, not a signal). It only
 * grows while the limit is actually used, so an idle client does not ramp up a
 * limit it never tested. {@code maxInFlightRequests} is the ceiling. Thread-safe: every method is short and
 * synchronized; nothing blocks.
 */
public final class ConcurrencyLimit {
  /** Where an adaptive limit starts. */
  static final int INITIAL_ADAPTIVE_LIMIT = 4;
  /** Smoothed round trips above {@code RTT_TOLERANCE × fastest + RTT_SLACK} count as the service queueing. */
  static final double RTT_TOLERANCE = 2.0;
  static final long RTT_SLACK_NANOS = 20_000_000L;
  /** Weight of the newest round trip in the smoothed one. */
  static final double RTT_SMOOTHING = 0.1;
  /** The fastest round trip is forgotten after this long, so a path that became slower is learnt again. */
  static final long MIN_RTT_WINDOW_NANOS = 30_000_000_000L;

  private final boolean adaptive;
  private final int max;
  private double limit;
  private boolean slowStart = true;
  private long minRttNanos = Long.MAX_VALUE;
  private long windowMinRttNanos = Long.MAX_VALUE;
  private long windowStartNanos;
  private long lastDecreaseNanos;
  private double smoothedRttNanos = -1;
  private boolean decreasedOnce;

  private ConcurrencyLimit(boolean adaptive, int initial, int max) {
    this.adaptive = adaptive;
    this.max = max;
    this.limit = initial;
  }

  /** A limit that never changes. */
  public static ConcurrencyLimit fixed(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    return new ConcurrencyLimit(false, limit, limit);
  }

  /** A limit that adapts between 1 and {@code max}. */
  public static ConcurrencyLimit adaptive(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    return new ConcurrencyLimit(true, Math.min(INITIAL_ADAPTIVE_LIMIT, max), max);
  }

  /** Whether the limit adapts. */
  public boolean isAdaptive() {
    return adaptive;
  }

  /** The number of requests that may be in flight now; between 1 and the ceiling. */
  public synchronized int current() {
    return (int) limit;
  }

  /**
   * A request was answered (any answer but a throttling one) after {@code rttNanos}.
   *
   * @param inFlight requests in flight when it was sent, itself included: growth needs the limit to be in use
   */
  public synchronized void onAnswer(long nowNanos, long rttNanos, int inFlight) {
    if (!adaptive || rttNanos < 0) {
      return;
    }
    if (windowMinRttNanos == Long.MAX_VALUE || nowNanos - windowStartNanos > MIN_RTT_WINDOW_NANOS) {
      // Roll the window: the previous window's fastest becomes the reference, so it can rise again.
      minRttNanos = windowMinRttNanos == Long.MAX_VALUE ? rttNanos : Math.min(windowMinRttNanos, rttNanos);
      windowMinRttNanos = rttNanos;
      windowStartNanos = nowNanos;
    }
    windowMinRttNanos = Math.min(windowMinRttNanos, rttNanos);
    minRttNanos = Math.min(minRttNanos, rttNanos);
    smoothedRttNanos = smoothedRttNanos < 0 ? rttNanos
        : smoothedRttNanos + RTT_SMOOTHING * (rttNanos - smoothedRttNanos);
    if (smoothedRttNanos > minRttNanos * RTT_TOLERANCE + RTT_SLACK_NANOS) {
      // Queueing, or the client's own CPU (a busy host looks the same from here): shrink, but only to where it
      // started; AEP's explicit pushback (429, 503) is what takes it lower.
      if (limit > INITIAL_ADAPTIVE_LIMIT) {
        decrease(nowNanos, rttNanos, 0.9);
        limit = Math.max(limit, Math.min(INITIAL_ADAPTIVE_LIMIT, max));
      }
      return;
    }
    if (inFlight * 2 < limit) {
      return; // the limit is not what holds the client back: nothing learnt about a higher one
    }
    limit = Math.min(max, limit + (slowStart ? 1.0 : 1.0 / limit));
  }

  /** The service asked the client to slow down (429, or 503). */
  public synchronized void onThrottled(long nowNanos) {
    if (adaptive) {
      slowStart = false;
      decrease(nowNanos, minRttNanos == Long.MAX_VALUE ? 0 : minRttNanos, 0.5);
    }
  }

  private void decrease(long nowNanos, long roundTripNanos, double factor) {
    // Once per round trip: the answers of requests sent before the last decrease say nothing new.
    if (decreasedOnce && nowNanos - lastDecreaseNanos < Math.max(roundTripNanos, 1_000_000L)) {
      return;
    }
    decreasedOnce = true;
    lastDecreaseNanos = nowNanos;
    slowStart = false;
    limit = Math.max(1.0, limit * factor);
  }

  @Override
  public synchronized String toString() {
    return adaptive ? "adaptive(limit=" + (int) limit + ", max=" + max + ")" : "fixed(" + max + ")";
  }
}
