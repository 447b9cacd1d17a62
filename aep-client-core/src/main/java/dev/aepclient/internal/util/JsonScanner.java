package dev.aepclient.internal.util;

/**
 * The fast path of the well-formedness check: decides, without allocating, that UTF-8 bytes are exactly one
 * well-formed JSON object (RFC 8259: white space around it, nothing after it).
 *
 * <p>Conservative by design: {@link #isObject} answers {@code true} only for input that Jackson's parser, as
 * {@link Json} runs it, accepts by its grammar and limits; {@code false} means "not certainly", and {@link Json}
 * then lets Jackson decide and explain. So every refusal and its message still come from Jackson, and the fast path
 * only makes accepting cheaper. Left to Jackson beyond the grammar: nesting deeper than {@value #MAX_DEPTH}, numbers
 * longer than {@value #MAX_NUMBER_CHARS} characters, names longer than {@value #MAX_NAME_BYTES} bytes, input longer
 * than {@value #MAX_BYTES} bytes (Jackson's own limits are higher, and it enforces them), and names with an escape.
 * One refusal of Jackson's is not a property of the message: its name table, shared by all parsers of a factory,
 * refuses a document whose names fill its collision area (a guard against names built to collide); this scanner
 * keeps no names, so it accepts such an object when it is well-formed. Bytes from 0x80 up are taken as they are,
 * inside strings only: the caller has checked that the input is strict UTF-8.
 *
 * <p>Why: Jackson's streaming parser (a parser object per message, names canonicalized in its table) was the largest
 * single cost of a Kafka record on the forwarder's poll thread and of {@code AepMessage.of} on the caller's; this
 * scanner halves {@code AepMessage.of}. String content is checked by a table lookup per byte, four bytes a step
 * (faster here than eight-byte word tricks, on messages whose strings are short). Stateless and thread-safe.
 */
final class JsonScanner {
  static final int MAX_DEPTH = 64;
  static final int MAX_NUMBER_CHARS = 100;
  static final int MAX_NAME_BYTES = 1_000;
  /** Input larger than one AEP request can carry (1 MB), rounded up to 1 MiB, is left to Jackson and its limits. */
  static final int MAX_BYTES = 1 << 20;

  /** Bytes that may stand in a string as they are: all but the quote, the backslash and control characters. */
  private static final boolean[] PLAIN = new boolean[256];

  static {
    for (int c = 0x20; c < 256; c++) {
      PLAIN[c] = c != '"' && c != '\\';
    }
  }

  private JsonScanner() {}

  /** True only if {@code utf8} certainly is one well-formed JSON object that Jackson accepts; see the class. */
  static boolean isObject(byte[] utf8) {
    byte[] b = utf8; // short name for the many reads below
    int n = b.length;
    if (n > MAX_BYTES) {
      return false;
    }
    int i = whiteSpace(b, 0, n);
    if (i >= n || b[i] != '{') {
      return false;
    }
    long objects = 0; // bit d: the container at depth d is an object (1) or an array (0)
    int depth = 0;
    value:
    while (true) {
      if (i >= n) {
        return false;
      }
      switch (b[i]) {
        case '{' -> {
          if (depth == MAX_DEPTH) {
            return false;
          }
          objects |= 1L << depth;
          depth++;
          i = whiteSpace(b, i + 1, n);
          if (i < n && b[i] == '}') {
            i++;
            depth--;
          } else {
            i = member(b, i, n);
            if (i < 0) {
              return false;
            }
            continue value;
          }
        }
        case '[' -> {
          if (depth == MAX_DEPTH) {
            return false;
          }
          objects &= ~(1L << depth);
          depth++;
          i = whiteSpace(b, i + 1, n);
          if (i < n && b[i] == ']') {
            i++;
            depth--;
          } else {
            continue value;
          }
        }
        case '"' -> i = string(b, i + 1, n, true);
        case 't' -> i = literal(b, i, n, 'r', 'u', 'e', '\0');
        case 'f' -> i = literal(b, i, n, 'a', 'l', 's', 'e');
        case 'n' -> i = literal(b, i, n, 'u', 'l', 'l', '\0');
        default -> i = number(b, i, n);
      }
      if (i < 0) {
        return false;
      }
      // After a value: a comma and the next member or element, or the end of one or more containers.
      while (true) {
        if (depth == 0) {
          return whiteSpace(b, i, n) == n;
        }
        i = whiteSpace(b, i, n);
        if (i >= n) {
          return false;
        }
        boolean inObject = (objects >>> (depth - 1) & 1) != 0;
        byte c = b[i];
        if (c == ',') {
          i = whiteSpace(b, i + 1, n);
          if (inObject) {
            i = member(b, i, n);
            if (i < 0) {
              return false;
            }
          }
          continue value;
        }
        if (c != (inObject ? '}' : ']')) {
          return false;
        }
        i++;
        depth--;
      }
    }
  }

  /** A member's name and colon from {@code i}; the index of its value (white space skipped), or -1. */
  private static int member(byte[] b, int i, int n) {
    if (i >= n || b[i] != '"') {
      return -1;
    }
    // Jackson decodes names, and refuses some escapes there (a broken surrogate pair) that it skips in values: a
    // name with an escape, rare as it is, is Jackson's to decide.
    int end = string(b, i + 1, n, false);
    if (end < 0 || end - i - 2 > MAX_NAME_BYTES) { // the name's bytes, without its quotes
      return -1;
    }
    i = whiteSpace(b, end, n);
    if (i >= n || b[i] != ':') {
      return -1;
    }
    return whiteSpace(b, i + 1, n);
  }

  /**
   * A string's content from {@code i} (after its opening quote); the index after its closing quote, or -1 (also for
   * any escape when {@code escapes} is false).
   */
  private static int string(byte[] b, int i, int n, boolean escapes) {
    while (true) {
      while (i + 4 <= n && PLAIN[b[i] & 0xFF] && PLAIN[b[i + 1] & 0xFF] && PLAIN[b[i + 2] & 0xFF]
          && PLAIN[b[i + 3] & 0xFF]) {
        i += 4;
      }
      while (i < n && PLAIN[b[i] & 0xFF]) {
        i++;
      }
      if (i >= n) {
        return -1;
      }
      int c = b[i] & 0xFF;
      if (c == '"') {
        return i + 1;
      }
      if (c != '\\') {
        return -1; // not PLAIN, not a quote, not a backslash: a control character, which must be escaped
      }
      i = escapes ? escape(b, i + 1, n) : -1;
      if (i < 0) {
        return -1;
      }
    }
  }

  /** An escape after its backslash at {@code i}; the index after it, or -1. */
  private static int escape(byte[] b, int i, int n) {
    if (i >= n) {
      return -1;
    }
    switch (b[i]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
        return i + 1;
      }
      case 'u' -> {
        if (i + 4 >= n) {
          return -1;
        }
        for (int k = 1; k <= 4; k++) {
          if (!isHex(b[i + k])) {
            return -1;
          }
        }
        return i + 5;
      }
      default -> {
        return -1;
      }
    }
  }

  private static boolean isHex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** {@code true}, {@code false} or {@code null} from {@code i}: the letters after the first; 0 ends short ones. */
  private static int literal(byte[] b, int i, int n, char c1, char c2, char c3, char c4) {
    int length = c4 == 0 ? 4 : 5;
    if (i + length > n || b[i + 1] != c1 || b[i + 2] != c2 || b[i + 3] != c3 || (c4 != 0 && b[i + 4] != c4)) {
      return -1;
    }
    return i + length;
  }

  /** A number from {@code i} as RFC 8259 writes it (no leading zeros, no lone point, no '+'); its end, or -1. */
  private static int number(byte[] b, int i, int n) {
    int start = i;
    if (i < n && b[i] == '-') {
      i++;
    }
    if (i >= n) {
      return -1;
    }
    if (b[i] == '0') {
      i++;
    } else if (isDigit(b[i])) {
      i = digits(b, i + 1, n);
    } else {
      return -1;
    }
    if (i < n && b[i] == '.') {
      if (i + 1 >= n || !isDigit(b[i + 1])) {
        return -1;
      }
      i = digits(b, i + 2, n);
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      if (i >= n || !isDigit(b[i])) {
        return -1;
      }
      i = digits(b, i + 1, n);
    }
    return i - start > MAX_NUMBER_CHARS ? -1 : i;
  }

  private static int digits(byte[] b, int i, int n) {
    while (i < n && isDigit(b[i])) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** The index of the first byte from {@code i} that is not JSON white space (space, tab, line feed, return). */
  private static int whiteSpace(byte[] b, int i, int n) {
    if (i < n && b[i] > ' ') {
      return i; // the usual case: no white space at all
    }
    while (i < n) {
      byte c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }
}
