package dev.aepclient.internal.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
  private static final long MS = 1_000_000L;

  @Test
  void fixedLimitNeverMoves() {
    ConcurrencyLimit limit = ConcurrencyLimit.fixed(8);
    limit.onThrottled(0);
    limit.onAnswer(10 * MS, 50 * MS, 8);
    assertThat(limit.current()).isEqualTo(8);
    assertThat(limit.isAdaptive()).isFalse();
  }

  @Test
  void slowStartGrowsWhileRoundTripsStayFlatUpToTheCeiling() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    assertThat(limit.current()).isEqualTo(ConcurrencyLimit.INITIAL_ADAPTIVE_LIMIT);
    long now = 0;
    for (int i = 0; i < 200; i++) {
      now += MS;
      limit.onAnswer(now, 50 * MS, limit.current());
    }
    assertThat(limit.current()).isEqualTo(64);
  }

  @Test
  void anUnusedLimitDoesNotGrow() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    for (int i = 0; i < 200; i++) {
      limit.onAnswer(i * MS, 50 * MS, 1);
    }
    assertThat(limit.current()).isEqualTo(ConcurrencyLimit.INITIAL_ADAPTIVE_LIMIT);
  }

  @Test
  void simultaneousThrottlesHalveOnceAndThenAgainAfterARoundTrip() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    long now = 0;
    for (int i = 0; i < 60; i++) {
      limit.onAnswer(now += MS, 50 * MS, limit.current());
    }
    assertThat(limit.current()).isEqualTo(64);
    for (int i = 0; i < 20; i++) {
      limit.onThrottled(now); // twenty 429s answering requests sent together
    }
    assertThat(limit.current()).isEqualTo(32);
    limit.onThrottled(now + 60 * MS);
    assertThat(limit.current()).isEqualTo(16);
  }

  @Test
  void afterAThrottleGrowthIsAboutOneRequestPerRoundTrip() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    long now = 0;
    for (int i = 0; i < 12; i++) {
      limit.onAnswer(now += MS, 50 * MS, limit.current());
    }
    limit.onThrottled(now += MS);
    int after = limit.current();
    // one round trip's worth of answers (one per request in flight) adds about one
    for (int i = 0; i < after; i++) {
      limit.onAnswer(now += MS, 50 * MS, limit.current());
    }
    assertThat(limit.current()).isBetween(after, after + 1);
  }

  @Test
  void risingRoundTripsShrinkTheLimitButNotBelowItsStart() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    long now = 0;
    for (int i = 0; i < 60; i++) {
      limit.onAnswer(now += MS, 50 * MS, limit.current());
    }
    int before = limit.current();
    for (int i = 0; i < 100; i++) { // 20 s: within one window of the fastest round trip
      now += 200 * MS; // one sample per slow round trip
      limit.onAnswer(now, 400 * MS, limit.current());
    }
    assertThat(limit.current()).isLessThan(before).isEqualTo(ConcurrencyLimit.INITIAL_ADAPTIVE_LIMIT);
  }

  @Test
  void oneSlowAnswerAmongFastOnesIsNoise() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    long now = 0;
    for (int i = 0; i < 60; i++) {
      limit.onAnswer(now += MS, 50 * MS, limit.current());
    }
    int before = limit.current();
    limit.onAnswer(now += MS, 400 * MS, limit.current());
    assertThat(limit.current()).isGreaterThanOrEqualTo(before);
  }

  @Test
  void aSlowerPathIsLearntAfterTheWindow() {
    ConcurrencyLimit limit = ConcurrencyLimit.adaptive(64);
    long now = 0;
    limit.onAnswer(now, 5 * MS, 4);
    now += ConcurrencyLimit.MIN_RTT_WINDOW_NANOS + MS;
    limit.onAnswer(now, 100 * MS, 4); // first sample of a new window
    now += ConcurrencyLimit.MIN_RTT_WINDOW_NANOS + MS;
    int before = limit.current();
    limit.onAnswer(now, 100 * MS, limit.current()); // 100 ms is now the fastest: it grows again
    assertThat(limit.current()).isGreaterThanOrEqualTo(before);
  }

  @Test
  void refusesALimitBelowOne() {
    assertThatThrownBy(() -> ConcurrencyLimit.fixed(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConcurrencyLimit.adaptive(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
