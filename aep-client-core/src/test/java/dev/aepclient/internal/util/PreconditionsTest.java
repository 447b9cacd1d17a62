package dev.aepclient.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builders' argument checks: bounds inclusive, null refused, and every message names the setting first. */
class PreconditionsTest {
  @Test
  void textMustHaveAVisibleCharacterAndIsReturnedUnchanged() {
    assertThat(Preconditions.requireText(" a ", "name (aep.x)")).isEqualTo(" a ");
    for (String bad : new String[] {null, "", " \t\n"}) {
      assertThatThrownBy(() -> Preconditions.requireText(bad, "name (aep.x)"))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("name (aep.x) must not be empty");
    }
  }

  @Test
  void rangesAreInclusiveAndTheMessageShowsTheBoundsAndTheValue() {
    assertThat(Preconditions.requireRange(1, 1, 3, "n")).isEqualTo(1);
    assertThat(Preconditions.requireRange(3, 1, 3, "n")).isEqualTo(3);
    assertThatThrownBy(() -> Preconditions.requireRange(4, 1, 3, "n (aep.n)"))
        .hasMessage("n (aep.n) must be between 1 and 3, got 4");
    assertThat(Preconditions.requireRange(1L << 40, 0L, Long.MAX_VALUE, "bytes")).isEqualTo(1L << 40);
    assertThatThrownBy(() -> Preconditions.requireRange(-1L, 0L, 10L, "bytes"))
        .hasMessage("bytes must be between 0 and 10, got -1");
  }

  @Test
  void durationsAreInclusiveAndNullIsRefused() {
    Duration max = Duration.ofSeconds(60);
    assertThat(Preconditions.requireDuration(Duration.ZERO, Duration.ZERO, max, "linger")).isZero();
    assertThat(Preconditions.requireDuration(max, Duration.ZERO, max, "linger")).isEqualTo(max);
    Duration above = max.plusNanos(1);
    assertThatThrownBy(() -> Preconditions.requireDuration(above, Duration.ZERO, max, "linger (aep.linger.ms)"))
        .hasMessage("linger (aep.linger.ms) must be between PT0S and PT1M, got PT1M0.000000001S");
    assertThatThrownBy(() -> Preconditions.requireDuration(null, Duration.ZERO, max, "linger"))
        .hasMessage("linger must be between PT0S and PT1M, got null");
  }

  @Test
  void durationsFromZeroRefuseNegativeValues() {
    assertThat(Preconditions.requireDuration(Duration.ZERO, Duration.ofMinutes(10), "closeTimeout")).isZero();
    Duration negative = Duration.ofMillis(-1);
    assertThatThrownBy(() -> Preconditions.requireDuration(negative, Duration.ofMinutes(10), "closeTimeout"))
        .hasMessage("closeTimeout must be between 0 and PT10M, got PT-0.001S");
    assertThatThrownBy(() -> Preconditions.requireDuration(null, Duration.ofMinutes(10), "closeTimeout"))
        .hasMessage("closeTimeout must be between 0 and PT10M, got null");
  }
}
