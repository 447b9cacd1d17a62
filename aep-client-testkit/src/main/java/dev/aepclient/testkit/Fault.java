package dev.aepclient.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * Something going wrong with one DCS request, as {@link AepSimulator} can make it happen: queued for the next
 * requests with {@link AepSimulator#enqueueFaults(Fault...)} or drawn at random with
 * {@link AepSimulator#randomFaults(long, java.util.Map)}. Immutable.
 */
public final class Fault {
  /** What the fault does. */
  public enum Kind {
    /** Answer with a status (429, 5xx) and an optional {@code Retry-After}; nothing is accepted. */
    STATUS,
    /** Wait, then answer normally. */
    DELAY,
    /** Close the connection before any response; nothing is accepted. */
    DROP_CONNECTION,
    /** Accept the messages, then answer 207 without a {@code responses} array (a protocol error). */
    MISSING_RESPONSES,
    /** Expire every token issued so far, then handle the request (which then fails authentication). */
    EXPIRE_TOKENS
  }

  private final Kind kind;
  private final int status;
  private final String retryAfter;
  private final Duration delay;

  private Fault(Kind kind, int status, String retryAfter, Duration delay) {
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
    this.delay = delay;
  }

  /**
   * Answer {@code status} with an error body.
   *
   * @throws IllegalArgumentException unless 400 to 599
   */
  public static Fault status(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("a fault status must be 4xx or 5xx, got " + status);
    }
    return new Fault(Kind.STATUS, status, null, null);
  }

  /** 429 with {@code Retry-After: {seconds}}. */
  public static Fault throttle(long retryAfterSeconds) {
    return status(429).withRetryAfter(String.valueOf(retryAfterSeconds));
  }

  /** Wait {@code delay} before handling the request normally (longer than the client's timeout: a timeout). */
  public static Fault delay(Duration delay) {
    return new Fault(Kind.DELAY, 0, null, Objects.requireNonNull(delay, "delay"));
  }

  /** Close the connection without answering. */
  public static Fault dropConnection() {
    return new Fault(Kind.DROP_CONNECTION, 0, null, null);
  }

  /** Accept the messages but answer 207 without {@code responses}: the client must retry, not assume success. */
  public static Fault missingResponses() {
    return new Fault(Kind.MISSING_RESPONSES, 0, null, null);
  }

  /** Expire every token now; the request then meets an expired token. */
  public static Fault expireTokens() {
    return new Fault(Kind.EXPIRE_TOKENS, 0, null, null);
  }

  /** The same status fault with a {@code Retry-After} header: seconds or an HTTP date. */
  public Fault withRetryAfter(String headerValue) {
    if (kind != Kind.STATUS) {
      throw new IllegalStateException("Retry-After applies to status faults only");
    }
    return new Fault(kind, status, Objects.requireNonNull(headerValue, "headerValue"), null);
  }

  /** What this fault does to the request it meets. */
  public Kind kind() {
    return kind;
  }

  /** The status of a {@link Kind#STATUS} fault, else 0. */
  public int status() {
    return status;
  }

  /** The {@code Retry-After} value, or null. */
  public String retryAfter() {
    return retryAfter;
  }

  /** The delay of a {@link Kind#DELAY} fault, else null. */
  public Duration delay() {
    return delay;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fault f && f.kind == kind && f.status == status && Objects.equals(f.retryAfter, retryAfter)
        && Objects.equals(f.delay, delay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, status, retryAfter, delay);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case STATUS -> status + (retryAfter == null ? "" : " Retry-After " + retryAfter);
      case DELAY -> "delay " + delay.toMillis() + " ms";
      default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    };
  }
}
