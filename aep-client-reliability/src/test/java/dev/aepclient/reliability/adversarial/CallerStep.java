package dev.aepclient.reliability.adversarial;

import java.util.Set;

/** One thing a caller thread of a trial does; {@code defects} as in {@link ServerFault}. */
enum CallerStep {
  SEND(Set.of()),
  TRY_SEND(Set.of()),
  FLUSH(Set.of()),
  FLUSH_50_MS(Set.of()),
  CLOSE_200_MS(Set.of(5)),
  CLOSE(Set.of()),
  INTERRUPTED_SEND(Set.of(9)),
  INTERRUPTED_FLUSH(Set.of()),
  INTERRUPTED_CLOSE(Set.of(6));

  @SuppressWarnings("ImmutableEnumChecker") // always a Set.of(...): unmodifiable
  final Set<Integer> defects;

  CallerStep(Set<Integer> defects) {
    this.defects = defects;
  }
}
