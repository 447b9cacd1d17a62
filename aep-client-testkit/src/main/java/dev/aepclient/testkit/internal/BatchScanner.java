package dev.aepclient.testkit.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
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
    boolean inString = false;
    for (; i < length; i++) {
      byte b = body[i];
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
        continue;
      }
      switch (b) {
        case '"' -> inString = true;
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

  private static void expect(boolean condition, String problem) throws MalformedBodyException {
    if (!condition) {
      throw new MalformedBodyException(problem);
    }
  }
}
