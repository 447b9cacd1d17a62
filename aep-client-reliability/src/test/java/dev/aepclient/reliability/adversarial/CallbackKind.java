package dev.aepclient.reliability.adversarial;

import java.util.Set;

/**
 * What the application does when a message settles: in the future's chain ({@code thenRun}) or in the client's
 * {@code DeliveryListener}; {@code defects} as in {@link ServerFault}.
 */
enum CallbackKind {
  NONE(Set.of()),
  FUTURE_CALLS_FLUSH(Set.of(4)),
  FUTURE_THROWS(Set.of()),
  LISTENER_CALLS_CLOSE(Set.of(4)),
  LISTENER_CALLS_FLUSH(Set.of(4)),
  LISTENER_THROWS_RUNTIME_EXCEPTION(Set.of()),
  LISTENER_THROWS_ERROR(Set.of(7));

  @SuppressWarnings("ImmutableEnumChecker") // always a Set.of(...): unmodifiable
  final Set<Integer> defects;

  CallbackKind(Set<Integer> defects) {
    this.defects = defects;
  }
}
