package dev.aepclient.reliability.adversarial;

import dev.aepclient.testkit.Fault;
import java.time.Duration;
import java.util.Set;

/**
 * A DCS fault a trial may draw, sized against the client's request timeout so that a slow answer is either clearly
 * inside it or clearly beyond it (an answer written just as the client gives up would make "acknowledged" ambiguous).
 * {@code defects} names the issue-9 items the fault hits on the old core (see {@link KnownDefects}); defect 3 (waits
 * not capped by the time left) is hit by anything that makes the client wait long near the deadline: a Retry-After of
 * a second or more, an answer that never comes or comes after the request timeout.
 */
enum ServerFault {
  THROTTLE_NO_RETRY_AFTER(Set.of()),
  THROTTLE_RETRY_AFTER_0(Set.of(2)),
  THROTTLE_RETRY_AFTER_1(Set.of(3)),
  THROTTLE_RETRY_AFTER_PAST_DATE(Set.of(2)),
  THROTTLE_RETRY_AFTER_FUTURE_DATE(Set.of(3)),
  THROTTLE_RETRY_AFTER_LARGE(Set.of(3)),
  UNAVAILABLE_NO_RETRY_AFTER(Set.of()),
  UNAVAILABLE_RETRY_AFTER_0(Set.of(2)),
  UNAVAILABLE_RETRY_AFTER_PAST_DATE(Set.of(2)),
  UNAVAILABLE_RETRY_AFTER_LARGE(Set.of(3)),
  SERVER_ERROR_500(Set.of()),
  BAD_GATEWAY_502(Set.of()),
  GATEWAY_TIMEOUT_504(Set.of()),
  DROP_CONNECTION(Set.of()),
  SLOW_BODY_WITHIN_TIMEOUT(Set.of()),
  SLOW_BODY_BEYOND_TIMEOUT(Set.of(3)),
  DELAY_WITHIN_TIMEOUT(Set.of()),
  HOLD_FOREVER(Set.of(3)),
  SHORT_207(Set.of(9)),
  LONG_207(Set.of(9)),
  GARBLED_207(Set.of()),
  MISSING_RESPONSES_207(Set.of()),
  ENTRY_429(Set.of(9)),
  ENTRY_500(Set.of(9)),
  ENTRY_503(Set.of(9)),
  REQUEST_400(Set.of(8)),
  TOO_LARGE_413(Set.of()),
  EXPIRE_TOKENS(Set.of());

  @SuppressWarnings("ImmutableEnumChecker") // always a Set.of(...): unmodifiable
  final Set<Integer> defects;

  ServerFault(Set<Integer> defects) {
    this.defects = defects;
  }

  /** True for faults after which nothing of the request is accepted and a retry is due after a back-off. */
  boolean retryable() {
    return switch (this) {
      case SHORT_207, LONG_207, GARBLED_207, MISSING_RESPONSES_207, REQUEST_400, TOO_LARGE_413, EXPIRE_TOKENS,
          SLOW_BODY_WITHIN_TIMEOUT, DELAY_WITHIN_TIMEOUT -> false;
      default -> true;
    };
  }

  Fault fault(Duration requestTimeout) {
    long timeoutMs = requestTimeout.toMillis();
    return switch (this) {
      case THROTTLE_NO_RETRY_AFTER -> Fault.status(429);
      case THROTTLE_RETRY_AFTER_0 -> Fault.status(429).withRetryAfter("0");
      case THROTTLE_RETRY_AFTER_1 -> Fault.throttle(1);
      case THROTTLE_RETRY_AFTER_PAST_DATE -> Fault.status(429).withRetryAfterDate(Duration.ofSeconds(-30));
      case THROTTLE_RETRY_AFTER_FUTURE_DATE -> Fault.status(429).withRetryAfterDate(Duration.ofSeconds(30));
      case THROTTLE_RETRY_AFTER_LARGE -> Fault.throttle(3600);
      case UNAVAILABLE_NO_RETRY_AFTER -> Fault.status(503);
      case UNAVAILABLE_RETRY_AFTER_0 -> Fault.status(503).withRetryAfter("0");
      case UNAVAILABLE_RETRY_AFTER_PAST_DATE -> Fault.status(503).withRetryAfterDate(Duration.ofHours(-1));
      case UNAVAILABLE_RETRY_AFTER_LARGE -> Fault.status(503).withRetryAfter("120");
      case SERVER_ERROR_500 -> Fault.status(500);
      case BAD_GATEWAY_502 -> Fault.status(502);
      case GATEWAY_TIMEOUT_504 -> Fault.status(504);
      case DROP_CONNECTION -> Fault.dropConnection();
      case SLOW_BODY_WITHIN_TIMEOUT -> Fault.slowBody(Duration.ofMillis(timeoutMs / 4));
      case SLOW_BODY_BEYOND_TIMEOUT -> Fault.slowBody(Duration.ofMillis(timeoutMs * 5));
      case DELAY_WITHIN_TIMEOUT -> Fault.delay(Duration.ofMillis(timeoutMs / 4));
      case HOLD_FOREVER -> Fault.hold();
      case SHORT_207 -> Fault.shortResponses();
      case LONG_207 -> Fault.extraResponses();
      case GARBLED_207 -> Fault.garbledResponses();
      case MISSING_RESPONSES_207 -> Fault.missingResponses();
      case ENTRY_429 -> Fault.entryStatus(429);
      case ENTRY_500 -> Fault.entryStatus(500);
      case ENTRY_503 -> Fault.entryStatus(503);
      case REQUEST_400 -> Fault.status(400);
      case TOO_LARGE_413 -> Fault.status(413);
      case EXPIRE_TOKENS -> Fault.expireTokens();
    };
  }
}
