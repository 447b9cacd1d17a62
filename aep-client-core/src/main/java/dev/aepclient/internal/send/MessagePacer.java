package dev.aepclient.internal.send;

/**
 * Learns the message rate AEP sustains once it has said "too many" (429), and paces requests just under it, so a
 * client with more to send than AEP's quota converges on the quota instead of alternating bursts and pauses.
 *
 * <p>Off until the first 429. Then: the rate is set to {@value #DECREASE} of the rate AEP was accepting messages at
 * (measured over the last second; the rate the client was sending at before anything was accepted), and grows by {@value #INCREASE_PER_MESSAGE} message/s for every message AEP
 * accepts (about 2 % a second while the client sends at the rate), so it probes upward slowly and the next 429
 * comes seconds later, not at once. Several 429s within a second (requests that were in flight together) lower
 * the rate once. Pacing ends once it has held nothing back for {@value #PACING_SECONDS} s (nor a 429 come): a 429
 * drawn by someone else's traffic on a shared inlet, at a moment this client sent little, must not hold it at that
 * little for long; a client that keeps pushing against the rate keeps it. A request of {@code n} messages takes {@code n / rate} seconds of the pacer's time. Thread-safe:
 * short synchronized methods, nothing blocks.
 */
final class MessagePacer {
  static final double DECREASE = 0.9;
  static final double INCREASE_PER_MESSAGE = 0.02;
  static final long PACING_SECONDS = 10;
  private static final long SECOND = 1_000_000_000L;

  private double rate; // messages per second; 0 = not pacing
  private long nextFreeNanos;
  private long lastDecreaseNanos;
  private boolean decreasedOnce;
  private long lastHeldNanos;
  // Messages started and accepted in the current window of about a second, and their rates in the one before.
  private long windowStartNanos;
  private long windowMessages;
  private long windowAccepted;
  private double previousWindowRate;
  private double previousAcceptedRate;

  /** {@link #reserve(long, int, long)} without a deadline. */
  synchronized long reserve(long nowNanos, int messages) {
    return reserve(nowNanos, messages, Long.MAX_VALUE);
  }

  /**
   * Reserves the pacer's time for a request of {@code messages} starting now, if it can start before
   * {@code deadlineNanos}; nothing is booked otherwise.
   *
   * @return how long the request must wait first, in nanoseconds (0: go), or -1 when it could only start after the
   *     deadline
   */
  synchronized long reserve(long nowNanos, int messages, long deadlineNanos) {
    roll(nowNanos);
    windowMessages += messages;
    if (rate > 0 && nowNanos - Math.max(lastDecreaseNanos, lastHeldNanos) > PACING_SECONDS * SECOND) {
      rate = 0; // neither a 429 nor a request held back for a while: the client sends below the rate
    }
    if (rate <= 0) {
      return 0;
    }
    long start = Math.max(nowNanos, nextFreeNanos);
    if (deadlineNanos != Long.MAX_VALUE && start - deadlineNanos >= 0) {
      return -1;
    }
    nextFreeNanos = start + (long) (messages * SECOND / rate);
    if (start > nowNanos) {
      lastHeldNanos = nowNanos;
    }
    return start - nowNanos;
  }

  /** AEP accepted a request of {@code messages}: probe a little higher. */
  synchronized void accepted(int messages) {
    windowAccepted += messages;
    if (rate > 0) {
      rate += INCREASE_PER_MESSAGE * messages;
    }
  }

  /** AEP answered 429: pace below the rate that drew it (once per second however many 429s arrive). */
  synchronized void throttled(long nowNanos) {
    roll(nowNanos);
    if (decreasedOnce && nowNanos - lastDecreaseNanos < SECOND) {
      return;
    }
    double elapsed = (nowNanos - windowStartNanos) / (double) SECOND;
    double accepting = Math.max(previousAcceptedRate, elapsed > 0.2 ? windowAccepted / elapsed : 0);
    double sending = Math.max(previousWindowRate, elapsed > 0.2 ? windowMessages / elapsed : 0);
    double measured = accepting > 0 ? accepting : sending;
    double base = rate > 0 ? Math.min(rate, Math.max(measured, 1)) : measured;
    if (base <= 0) {
      return; // nothing measured yet: the shared pause alone answers this 429
    }
    rate = Math.max(1, base * DECREASE);
    decreasedOnce = true;
    lastDecreaseNanos = nowNanos;
  }

  /** The paced rate in messages per second, 0 while not pacing. */
  synchronized double rate() {
    return rate;
  }

  private void roll(long nowNanos) {
    if (windowStartNanos == 0) {
      windowStartNanos = nowNanos;
    }
    long elapsed = nowNanos - windowStartNanos;
    if (elapsed >= SECOND) {
      previousWindowRate = windowMessages * (double) SECOND / elapsed;
      previousAcceptedRate = windowAccepted * (double) SECOND / elapsed;
      windowMessages = 0;
      windowAccepted = 0;
      windowStartNanos = nowNanos;
    }
  }
}
