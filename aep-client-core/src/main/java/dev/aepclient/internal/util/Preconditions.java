package dev.aepclient.internal.util;

import java.time.Duration;

/**
 * The argument checks of every builder (client, auth, Kafka adapter): each throws {@link IllegalArgumentException}
 * whose message starts with {@code what}, the setting's name (and key), so the caller sees which setting to fix.
 * Stateless; safe from any thread.
 */
public final class Preconditions {
  private Preconditions() {}

  /**
   * {@code value}, unchanged, when it has a character other than whitespace.
   *
   * @throws IllegalArgumentException "{what} must not be empty" for null, empty or blank text
   */
  public static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }

  /**
   * {@code value} when it is within {@code [min, max]}.
   *
   * @throws IllegalArgumentException "{what} must be between {min} and {max}, got {value}" otherwise
   */
  public static int requireRange(int value, int min, int max, String what) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * {@code value} when it is within {@code [min, max]}.
   *
   * @throws IllegalArgumentException "{what} must be between {min} and {max}, got {value}" otherwise
   */
  public static long requireRange(long value, long min, long max, String what) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * {@code value} when it is within {@code [min, max]}.
   *
   * @throws IllegalArgumentException "{what} must be between {min} and {max}, got {value}" for null or a value
   *     outside
   */
  public static Duration requireDuration(Duration value, Duration min, Duration max, String what) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * {@code value} when it is within {@code [0, max]}.
   *
   * @throws IllegalArgumentException "{what} must be between 0 and {max}, got {value}" for null, a negative value or
   *     one above {@code max}
   */
  public static Duration requireDuration(Duration value, Duration max, String what) {
    if (value == null || value.isNegative() || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(what + " must be between 0 and " + max + ", got " + value);
    }
    return value;
  }
}
