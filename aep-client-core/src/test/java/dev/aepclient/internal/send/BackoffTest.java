package dev.aepclient.internal.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client's own back-off: any legal pair of settings gives delays, never an assertion. */
class BackoffTest {
  private static final long MS = 1_000_000;

  @Test
  void equalInitialAndMax_givesAFixedDelayWithJitter_neverAboveMax() {
    Backoff backoff = new Backoff(Duration.ofSeconds(15), Duration.ofSeconds(15));
    for (int step = 0; step < 50; step++) {
      assertThat(backoff.delayNanos(step)).isBetween(15_000 * MS * 3 / 4, 15_000 * MS);
    }
  }

  @Test
  void doublesPerStep_upToMax() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delayNanos(0)).isBetween(75 * MS, 125 * MS);
      assertThat(backoff.delayNanos(1)).isBetween(150 * MS, 250 * MS);
      assertThat(backoff.delayNanos(3)).isBetween(600 * MS, 1_000 * MS);
      assertThat(backoff.delayNanos(4)).isBetween(750 * MS, 1_000 * MS);
    }
  }

  @Test
  void largeStepsAndLargeSettings_doNotOverflow() {
    Backoff backoff = new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(10));
    assertThat(backoff.delayNanos(Integer.MAX_VALUE)).isBetween(450_000 * MS, 600_000 * MS);
    assertThat(new Backoff(Duration.ofMillis(1), Duration.ofMillis(1)).delayNanos(1000)).isPositive();
  }
}
