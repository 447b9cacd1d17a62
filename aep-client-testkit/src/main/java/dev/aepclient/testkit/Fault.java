package dev.aepclient.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * Something going wrong with one DCS request, as {@link AepSimulator} can make it happen: queued for the next
 * requests with {@link AepSimulator#enqueueFaults(Fault...)} or drawn at random with
 * {@link AepSimulator#randomFaults(long, java.util.Map)}. IMS requests meet the faults queued with
 * {@link AepSimulator#enqueueImsFaults(Fault...)} ({@link Kind#STATUS}, {@link Kind#DELAY}, {@link Kind#HOLD},
 * {@link Kind#DROP_CONNECTION}, {@link Kind#SLOW_BODY}; other kinds are ignored there). Immutable.
 *
 * <p>What counts as accepted ({@link AepSimulator#acceptedCount()}) under each kind is stated on the kind; what the
 * client was told it delivered is {@link AepSimulator#acknowledgedIds()}.
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
    EXPIRE_TOKENS,
    /** Never answer: the request is held until the simulator closes (a server that hangs). Nothing accepted. */
    HOLD,
    /** Handle the request normally, but trickle the answer's bytes over {@link #delay()} (a slow body). */
    SLOW_BODY,
    /** A 207 with one entry too few: the last message is neither answered nor accepted. */
    SHORT_RESPONSES,
    /** A 207 with one extra success entry after the real ones; every message is accepted. */
    EXTRA_RESPONSES,
    /** A 207 cut in the middle (garbled JSON, as from a broken proxy); nothing accepted. */
    GARBLED_RESPONSES,
    /** A 207 whose every entry carries {@code statusCode} {@link #status()} (429, 500, 503, …); nothing accepted. */
    ENTRY_STATUS
  }

  private final Kind kind;
  private final int status;
  private final String retryAfter;
  private final Duration delay;
  private final Duration retryAfterDateFromNow;

  private Fault(Kind kind, int status, String retryAfter, Duration delay) {
    this(kind, status, retryAfter, delay, null);
  }

  private Fault(Kind kind, int status, String retryAfter, Duration delay, Duration retryAfterDateFromNow) {
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
    this.delay = delay;
    this.retryAfterDateFromNow = retryAfterDateFromNow;
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

  /** Never answer this request; it is held (no thread busy) until the simulator closes. */
  public static Fault hold() {
    return new Fault(Kind.HOLD, 0, null, null);
  }

  /**
   * Answer normally, but trickle the answer over {@code duration} (headers at once, then the body a few bytes at a
   * time).
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public static Fault slowBody(Duration duration) {
    if (Objects.requireNonNull(duration, "duration").isNegative()) {
      throw new IllegalArgumentException("slowBody duration must not be negative, got " + duration);
    }
    return new Fault(Kind.SLOW_BODY, 0, null, duration);
  }

  /**
   * A 207 with one {@code responses} entry too few (the last message is not accepted; the others are, but a
   * protocol error acknowledges nothing: see {@link AepSimulator#acknowledgedIds()}).
   */
  public static Fault shortResponses() {
    return new Fault(Kind.SHORT_RESPONSES, 0, null, null);
  }

  /** A 207 with one {@code responses} entry too many (every message accepted, none acknowledged). */
  public static Fault extraResponses() {
    return new Fault(Kind.EXTRA_RESPONSES, 0, null, null);
  }

  /** A 207 whose JSON is cut in the middle (nothing accepted). */
  public static Fault garbledResponses() {
    return new Fault(Kind.GARBLED_RESPONSES, 0, null, null);
  }

  /**
   * A 207 in which every message gets a per-entry {@code statusCode} of {@code status} (nothing accepted).
   *
   * @throws IllegalArgumentException unless 400 to 599
   */
  public static Fault entryStatus(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an entry status must be 4xx or 5xx, got " + status);
    }
    return new Fault(Kind.ENTRY_STATUS, status, null, null);
  }

  /**
   * The same status fault with {@code Retry-After} as an HTTP date {@code fromNow} after the moment it is answered
   * (negative: a date in the past).
   *
   * @throws IllegalStateException unless a status fault
   */
  public Fault withRetryAfterDate(Duration fromNow) {
    if (kind != Kind.STATUS) {
      throw new IllegalStateException("Retry-After applies to status faults only");
    }
    return new Fault(kind, status, null, null, Objects.requireNonNull(fromNow, "fromNow"));
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

  /** The {@code Retry-After} value, or null (also for {@link #withRetryAfterDate}: see {@link #retryAfterAt}). */
  public String retryAfter() {
    return retryAfter;
  }

  /** The {@code Retry-After} header to send at {@code now}, or null for none. */
  public String retryAfterAt(Instant now) {
    if (retryAfterDateFromNow != null) {
      return DateTimeFormatter.RFC_1123_DATE_TIME.format(
          now.plus(retryAfterDateFromNow).atOffset(ZoneOffset.UTC).withNano(0));
    }
    return retryAfter;
  }

  /** The delay of a {@link Kind#DELAY} fault or the trickle time of {@link Kind#SLOW_BODY}, else null. */
  public Duration delay() {
    return delay;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fault f && f.kind == kind && f.status == status && Objects.equals(f.retryAfter, retryAfter)
        && Objects.equals(f.delay, delay) && Objects.equals(f.retryAfterDateFromNow, retryAfterDateFromNow);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, status, retryAfter, delay, retryAfterDateFromNow);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case STATUS -> status + (retryAfter != null ? " Retry-After " + retryAfter
          : retryAfterDateFromNow != null ? " Retry-After date now" + (retryAfterDateFromNow.isNegative() ? "" : "+")
              + retryAfterDateFromNow.toMillis() + " ms" : "");
      case DELAY -> "delay " + delay.toMillis() + " ms";
      case SLOW_BODY -> "slow body " + delay.toMillis() + " ms";
      case ENTRY_STATUS -> "207 entries " + status;
      default -> kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    };
  }
}
