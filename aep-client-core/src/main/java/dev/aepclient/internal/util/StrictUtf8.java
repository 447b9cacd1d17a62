package dev.aepclient.internal.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 as the Unicode Standard defines it (Table 3-7, "Well-Formed UTF-8 Byte Sequences"): no overlong
 * forms ({@code C0 A2}, {@code E0 80 A2}, {@code F0 80 80 A2}), no encoded surrogates ({@code ED A0 80}, CESU-8),
 * nothing above U+10FFFF ({@code F4 90 80 80}, bytes {@code F5}–{@code FF}), no stray continuation bytes and no
 * sequence cut short. Jackson's parser, which reads the message afterwards, is lenient on several of these.
 *
 * <p>Runs on the caller's thread for every message, so ASCII (nearly all of a JSON message) is checked 32 bytes
 * at a time. Stateless and thread-safe.
 */
public final class StrictUtf8 {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private StrictUtf8() {}

  /** The offset of the first byte that does not start a well-formed UTF-8 sequence, or -1 if all is well-formed. */
  public static int firstMalformed(byte[] bytes) {
    int n = bytes.length;
    int i = 0;
    while (i < n) {
      while (i + 32 <= n && (((long) LONGS.get(bytes, i) | (long) LONGS.get(bytes, i + 8)
          | (long) LONGS.get(bytes, i + 16) | (long) LONGS.get(bytes, i + 24)) & HIGH_BITS) == 0) {
        i += 32; // a run of ASCII, 32 bytes a step
      }
      while (i + 8 <= n && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
        i += 8;
      }
      if (i >= n) {
        return -1;
      }
      int b0 = bytes[i];
      if (b0 >= 0) {
        i++;
        continue;
      }
      int length = sequenceLength(bytes, i, n);
      if (length == 0) {
        return i;
      }
      i += length;
    }
    return -1;
  }

  /** The first index at or after {@code from} holding {@code value}, or -1; 32 bytes a step, then eight. */
  static int indexOf(byte[] bytes, byte value, int from) {
    int n = bytes.length;
    int i = from;
    long pattern = (value & 0xffL) * 0x0101010101010101L;
    while (i + 32 <= n && (zeroBytes((long) LONGS.get(bytes, i) ^ pattern)
        | zeroBytes((long) LONGS.get(bytes, i + 8) ^ pattern) | zeroBytes((long) LONGS.get(bytes, i + 16) ^ pattern)
        | zeroBytes((long) LONGS.get(bytes, i + 24) ^ pattern)) == 0) {
      i += 32;
    }
    while (i + 8 <= n) {
      long x = (long) LONGS.get(bytes, i) ^ pattern; // a zero byte where value is
      if (((x - 0x0101010101010101L) & ~x & HIGH_BITS) != 0) {
        break; // a match among these eight bytes
      }
      i += 8;
    }
    for (; i < n; i++) {
      if (bytes[i] == value) {
        return i;
      }
    }
    return -1;
  }

  /** Non-zero exactly when some byte of {@code x} is zero (the classic SWAR test). */
  private static long zeroBytes(long x) {
    return (x - 0x0101010101010101L) & ~x & HIGH_BITS;
  }

  /** The length of the well-formed multi-byte sequence starting at {@code i}, or 0 if it is malformed. */
  private static int sequenceLength(byte[] bytes, int i, int n) {
    int b0 = bytes[i] & 0xff;
    if (b0 < 0xC2) {
      return 0; // a continuation byte without a lead, or C0/C1 (overlong two-byte forms)
    }
    if (b0 < 0xE0) {
      return i + 1 < n && isContinuation(bytes[i + 1]) ? 2 : 0;
    }
    if (b0 < 0xF0) {
      if (i + 2 >= n) {
        return 0;
      }
      int b1 = bytes[i + 1] & 0xff;
      boolean second = b0 == 0xE0 ? b1 >= 0xA0 && b1 <= 0xBF // E0 80..9F: overlong
          : b0 == 0xED ? b1 >= 0x80 && b1 <= 0x9F // ED A0..BF: a surrogate
          : isContinuation(bytes[i + 1]);
      return second && isContinuation(bytes[i + 2]) ? 3 : 0;
    }
    if (b0 < 0xF5) {
      if (i + 3 >= n) {
        return 0;
      }
      int b1 = bytes[i + 1] & 0xff;
      boolean second = b0 == 0xF0 ? b1 >= 0x90 && b1 <= 0xBF // F0 80..8F: overlong
          : b0 == 0xF4 ? b1 >= 0x80 && b1 <= 0x8F // F4 90..BF: above U+10FFFF
          : isContinuation(bytes[i + 1]);
      return second && isContinuation(bytes[i + 2]) && isContinuation(bytes[i + 3]) ? 4 : 0;
    }
    return 0; // F5..FF never occur in UTF-8
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /**
   * What is wrong with the sequence at {@code offset} (as {@link #firstMalformed} found it), in words that quote no
   * byte of the content.
   */
  public static String describe(byte[] bytes, int offset) {
    int b0 = bytes[offset] & 0xff;
    int n = bytes.length;
    if (b0 < 0xC0) {
      return "a continuation byte without a lead byte";
    }
    if (b0 == 0xC0 || b0 == 0xC1) {
      return "an overlong encoding (a character encoded with more bytes than needed)";
    }
    if (b0 >= 0xF5) {
      return "a byte that never occurs in UTF-8 (0xF5 to 0xFF; text in another encoding?)";
    }
    int expected = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    for (int k = 1; k < expected; k++) {
      if (offset + k >= n || !isContinuation(bytes[offset + k])) {
        return "a " + expected + "-byte sequence cut short after " + k + " byte" + (k == 1 ? "" : "s");
      }
    }
    int b1 = bytes[offset + 1] & 0xff;
    if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xF0 && b1 < 0x90)) {
      return "an overlong encoding (a character encoded with more bytes than needed)";
    }
    if (b0 == 0xED) {
      return "an encoded surrogate (CESU-8 or modified UTF-8, not UTF-8)";
    }
    return "a code point above U+10FFFF";
  }
}
