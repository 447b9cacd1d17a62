package dev.aepclient.internal.send;

import dev.aepclient.AepDeliveryException;
import java.time.Duration;
import java.util.List;

/**
 * What one HTTP attempt came to, as the retry policy and the sender need it. Retryable kinds are retried by
 * Failsafe; the others end the attempt loop and are acted on by {@link BatchSender}.
 */
final class AttemptOutcome {
  enum Kind {
    /**
     * 200/207 with one entry per message: each entry is a {@code Delivery}, an {@code AepRejectedException} or a
     * {@link RetryableEntry} (a per-entry 408/429/5xx: that message alone is sent again).
     */
    ANSWERED,
    /** Transient: 429, 408, 5xx, I/O error, protocol error. Retried with back-off (or Retry-After). */
    RETRY,
    /** First 401/403: the token was dropped; retried at once with a fresh one. */
    RETRY_WITH_FRESH_TOKEN,
    /** Whole-request 400: split the batch to find the bad messages. */
    BAD_REQUEST,
    /** 413: split the batch. */
    TOO_LARGE,
    /** Cannot succeed by retrying: fail every message of the request. */
    FATAL
  }

  final Kind kind;
  final int status;
  final String detail;
  final Duration retryAfter;
  final Throwable cause;
  final AepDeliveryException.Reason fatalReason;
  final List<Object> entries;

  private AttemptOutcome(Kind kind, int status, String detail, Duration retryAfter, Throwable cause,
      AepDeliveryException.Reason fatalReason, List<Object> entries) {
    this.kind = kind;
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
    this.cause = cause;
    this.fatalReason = fatalReason;
    this.entries = entries;
  }

  static AttemptOutcome answered(int status, List<Object> entries) {
    return new AttemptOutcome(Kind.ANSWERED, status, "", null, null, null, entries);
  }

  static AttemptOutcome retry(int status, String detail, Duration retryAfter, Throwable cause) {
    return new AttemptOutcome(Kind.RETRY, status, detail, retryAfter, cause, null, null);
  }

  static AttemptOutcome retryWithFreshToken(int status) {
    return new AttemptOutcome(Kind.RETRY_WITH_FRESH_TOKEN, status, "token refused, fetching a fresh one",
        Duration.ZERO, null, null, null);
  }

  static AttemptOutcome badRequest(int status, String detail) {
    return new AttemptOutcome(Kind.BAD_REQUEST, status, detail, null, null, null, null);
  }

  static AttemptOutcome tooLarge(String detail) {
    return new AttemptOutcome(Kind.TOO_LARGE, 413, detail, null, null, null, null);
  }

  static AttemptOutcome fatal(AepDeliveryException.Reason reason, int status, String detail, Throwable cause) {
    return new AttemptOutcome(Kind.FATAL, status, detail, null, cause, reason, null);
  }

  /** A 207 entry with a transient status (408, 429, 5xx): AEP did not take that message this time. */
  record RetryableEntry(int status, String reason) {}

  /** The same outcome with a different detail (to add what the retries came to). */
  AttemptOutcome withDetail(String newDetail) {
    return new AttemptOutcome(kind, status, newDetail, retryAfter, cause, fatalReason, entries);
  }

  boolean isRetryable() {
    return kind == Kind.RETRY || kind == Kind.RETRY_WITH_FRESH_TOKEN;
  }

  /** For log lines and exception messages: status and detail, never a body that could carry customer data. */
  String describe() {
    String what = status > 0 ? "HTTP " + status : "no answer";
    return detail == null || detail.isEmpty() ? what : what + " (" + detail + ")";
  }

  @Override
  public String toString() {
    return kind + " " + describe();
  }
}
