package dev.aepclient.reliability.adversarial;

import dev.aepclient.testkit.Fault;
import java.time.Duration;
import java.util.Set;

/**
 * An IMS fault a trial may queue for the client's token requests; {@code defects} as in {@link ServerFault} (a token
 * fetch that fails or waits is not capped by the messages' time left on the old core: defect 3).
 */
enum ImsFault {
  NONE(Set.of()),
  FAILING_500(Set.of(3)),
  UNAVAILABLE_503(Set.of(3)),
  SLOW(Set.of(3)),
  NEVER_ANSWERS(Set.of(3)),
  DROPS_CONNECTION(Set.of());

  @SuppressWarnings("ImmutableEnumChecker") // always a Set.of(...): unmodifiable
  final Set<Integer> defects;

  ImsFault(Set<Integer> defects) {
    this.defects = defects;
  }

  /** The faults to queue: a few in a row, so a retrying token fetch meets more than one. */
  Fault[] faults() {
    return switch (this) {
      case NONE -> new Fault[0];
      case FAILING_500 -> new Fault[] {Fault.status(500), Fault.status(500)};
      case UNAVAILABLE_503 -> new Fault[] {Fault.status(503).withRetryAfter("1")};
      case SLOW -> new Fault[] {Fault.delay(Duration.ofMillis(300))};
      case NEVER_ANSWERS -> new Fault[] {Fault.hold()};
      case DROPS_CONNECTION -> new Fault[] {Fault.dropConnection()};
    };
  }
}
