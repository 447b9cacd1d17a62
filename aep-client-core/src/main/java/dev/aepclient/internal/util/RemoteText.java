package dev.aepclient.internal.util;

/**
 * Makes text that came from the network (AEP's or IMS's answers, {@code Location} headers, exception messages of
 * the transport) safe to put into a log line, an exception message or a Kafka header: control characters are
 * escaped (no forged log lines, no terminal escapes) and the length is bounded (no unbounded memory, no log
 * flooding). Callers that may hold secrets in the text mask them <em>before</em> calling this, so a cut never
 * keeps the first characters of a secret.
 */
public final class RemoteText {
  /** The default bound for one piece of remote text: long enough for AEP's and IMS's error texts. */
  public static final int DEFAULT_MAX_CHARS = 500;

  private RemoteText() {}

  /** {@link #sanitize(CharSequence, int)} with {@value #DEFAULT_MAX_CHARS} characters. */
  public static String sanitize(CharSequence text) {
    return sanitize(text, DEFAULT_MAX_CHARS);
  }

  /**
   * Escapes control characters ({@code \n}, {@code \r}, {@code \t} as such, others as {@code \}{@code uXXXX}) and
   * cuts the result to at most {@code maxChars} characters (plus a marker saying how much was cut). A surrogate
   * pair is never split. {@code null} gives {@code "null"}.
   *
   * @throws IllegalArgumentException if {@code maxChars} is below 1
   */
  public static String sanitize(CharSequence text, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be at least 1, was " + maxChars);
    }
    if (text == null) {
      return "null";
    }
    int length = text.length();
    StringBuilder out = new StringBuilder(Math.min(length, maxChars) + 16);
    int i = 0;
    for (; i < length && out.length() < maxChars; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
          out.append(c).append(text.charAt(++i));
        } else {
          out.append("\\u").append(String.format("%04x", (int) c));
        }
      } else if (Character.isLowSurrogate(c)) {
        out.append("\\u").append(String.format("%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (i < length) {
      out.append("…(").append(length - i).append(" more chars)");
    }
    return out.toString();
  }
}
