package dev.aepclient.internal.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MessagePacerTest {
  private static final long MS = 1_000_000L;

  @Test
  void doesNotPaceUntilTheFirst429() {
    MessagePacer pacer = new MessagePacer();
    for (int i = 0; i < 100; i++) {
      assertThat(pacer.reserve(i * MS, 500)).isZero();
    }
    assertThat(pacer.rate()).isZero();
  }

  @Test
  void after429PacesBelowTheRateThatDrewIt() {
    MessagePacer pacer = new MessagePacer();
    long now = MS;
    for (int i = 0; i < 100; i++) { // 500 messages every 10 ms: 50,000 messages/s for a second
      pacer.reserve(now, 500);
      now += 10 * MS;
    }
    pacer.reserve(now, 500); // rolls the window
    pacer.throttled(now);
    assertThat(pacer.rate()).isCloseTo(50_000 * MessagePacer.DECREASE, within(2_000.0));
    // back to back requests of 500 are now spaced 500 / rate apart
    long first = pacer.reserve(now, 500);
    long second = pacer.reserve(now, 500);
    assertThat(second - first).isCloseTo((long) (500 * 1e9 / pacer.rate()), within(1_000L));
  }

  @Test
  void aRequestThatCouldOnlyStartAfterItsDeadlineBooksNothing() {
    MessagePacer pacer = new MessagePacer();
    long now = MS;
    for (int i = 0; i < 100; i++) {
      pacer.reserve(now, 100);
      now += 10 * MS;
    }
    pacer.reserve(now, 100);
    pacer.throttled(now); // about 8,500 messages/s
    long first = pacer.reserve(now, 8_500); // a second of the pacer's time
    assertThat(first).isZero();
    assertThat(pacer.reserve(now, 100, now + 500 * MS)).isEqualTo(-1);
    assertThat(pacer.reserve(now, 100, now + 5_000 * MS)).isBetween(900 * MS, 1_100 * MS);
  }

  @Test
  void pacingEndsAfterAQuietSpell() {
    MessagePacer pacer = new MessagePacer();
    long now = MS;
    for (int i = 0; i < 100; i++) {
      pacer.reserve(now, 10);
      now += 10 * MS;
    }
    pacer.reserve(now, 10);
    pacer.throttled(now);
    assertThat(pacer.rate()).isPositive();
    long later = now + (MessagePacer.PACING_SECONDS + 1) * 1_000 * MS;
    assertThat(pacer.reserve(later, 500)).isZero();
    assertThat(pacer.rate()).isZero();
  }

  @Test
  void simultaneous429sLowerTheRateOnce_andAcceptedMessagesRaiseItSlowly() {
    MessagePacer pacer = new MessagePacer();
    long now = MS;
    for (int i = 0; i < 100; i++) {
      pacer.reserve(now, 200);
      now += 10 * MS;
    }
    pacer.reserve(now, 200);
    pacer.throttled(now);
    double once = pacer.rate();
    for (int i = 0; i < 10; i++) {
      pacer.throttled(now + i * MS);
    }
    assertThat(pacer.rate()).isEqualTo(once);
    pacer.accepted(1_000);
    assertThat(pacer.rate()).isCloseTo(once + 1_000 * MessagePacer.INCREASE_PER_MESSAGE, within(0.001));
    pacer.throttled(now + 1_100 * MS); // a second later: lowers again
    assertThat(pacer.rate()).isLessThan(once);
  }
}
