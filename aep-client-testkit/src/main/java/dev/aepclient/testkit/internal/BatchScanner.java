package dev.aepclient.testkit.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds where each message of a {@code {"messages":[m1,m2,…]}} body starts and ends, so messages can be recorded
 * and judged as the bytes the client sent. Two ways: {@link #validating} runs Jackson's streaming parser over the
 * whole body (every byte checked), {@link #counting} only tracks nesting and strings (fast; for benchmarks).
 */
public final class BatchScanner {
  private static final JsonFactory FACTORY = new JsonFactory();

  private BatchScanner() {}

  /** Start and end offsets, two ints per message: {@code [start0, end0, start1, end1, …]}. */
  public static int[] validating(byte[] body, int length) throws MalformedBodyException {
    int[] bounds = new int[64];
    int count = 0;
    try (JsonParser p = FACTORY.createParser(body, 0, length)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, "body is not a JSON object");
      boolean sawMessages = false;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        expect(t == JsonToken.FIELD_NAME, "body is not a JSON object");
        if (!"messages".equals(p.currentName())) {
          p.nextToken();
          p.skipChildren();
          continue;
        }
        expect(!sawMessages, "body has two \"messages\" fields");
        sawMessages = true;
        expect(p.nextToken() == JsonToken.START_ARRAY, "\"messages\" is not an array");
        for (JsonToken m = p.nextToken(); m != JsonToken.END_ARRAY; m = p.nextToken()) {
          expect(m != null, "body ends inside \"messages\"");
          int start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int end = (int) p.currentLocation().getByteOffset();
          if (count * 2 + 2 > bounds.length) {
            bounds = Arrays.copyOf(bounds, bounds.length * 2);
          }
          bounds[count * 2] = start;
          bounds[count * 2 + 1] = end;
          count++;
        }
      }
      expect(sawMessages, "body has no \"messages\" array");
      expect(p.nextToken() == null, "body has content after its JSON object");
    } catch (IOException e) {
      throw new MalformedBodyException("body is not well-formed JSON: " + e.getClass().getSimpleName());
    }
    return Arrays.copyOf(bounds, count * 2);
  }

  /**
   * As {@link #validating}, trusting that the body is {@code {"messages":[…]}} (as this project's client writes it)
   * and only tracking brackets and strings to find the messages' bounds.
   */
  public static int[] counting(byte[] body, int length) throws MalformedBodyException {
    int i = 0;
    while (i < length && body[i] != '[') {
      i++;
    }
    expect(i < length, "body has no \"messages\" array");
    i++;
    int[] bounds = new int[64];
    int count = 0;
    int depth = 0;
    int start = -1;
    for (; i < length; i++) {
      byte b = body[i];
      switch (b) {
        case '"' -> i = closingQuote(body, i + 1, length);
        case '{', '[' -> {
          if (depth == 0) {
            start = i;
          }
          depth++;
        }
        case '}', ']' -> {
          if (depth == 0) { // the array's own ']'
            return Arrays.copyOf(bounds, count * 2);
          }
          depth--;
          if (depth == 0) {
            if (count * 2 + 2 > bounds.length) {
              bounds = Arrays.copyOf(bounds, bounds.length * 2);
            }
            bounds[count * 2] = start;
            bounds[count * 2 + 1] = i + 1;
            count++;
          }
        }
        default -> { }
      }
    }
    throw new MalformedBodyException("body ends inside \"messages\"");
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

  /**
   * The index of the quote that ends the string whose content starts at {@code i} ({@code length} if none). Most of
   * a message's bytes are string content, so it is skipped eight bytes a step (SWAR: a byte equal to '"' or '\\'
   * makes its word's "has a zero byte" test true; the lowest flagged byte is always a real match); the
   * byte-at-a-time scan was half of the simulator's CPU in benchmarks.
   */
  static int closingQuote(byte[] body, int i, int length) {
    while (true) {
      while (i + 8 <= length) {
        long word = (long) LONGS.get(body, i);
        long q = word ^ QUOTES;
        long b = word ^ BACKSLASHES;
        long found = (((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
        if (found != 0) {
          i += Long.numberOfTrailingZeros(found) >>> 3;
          break;
        }
        i += 8;
      }
      while (i < length && body[i] != '"' && body[i] != '\\') {
        i++;
      }
      if (i >= length || body[i] == '"') {
        return i;
      }
      i += 2; // a backslash and the character it escapes
    }
  }

  private static void expect(boolean condition, String problem) throws MalformedBodyException {
    if (!condition) {
      throw new MalformedBodyException(problem);
    }
  }
}
