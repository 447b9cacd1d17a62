package dev.aepclient.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchScannerTest {
  private static final String[] PIECES = {"a", "\\\"", "\\\\", "]", "}", "{", "[", ",", "é", "\u20ac", "\\u0022", "x"};

  /** A JSON string literal of {@code n} random pieces: quotes, backslashes and brackets inside, at every offset. */
  private static String literal(Random random, int n) {
    StringBuilder s = new StringBuilder("\"");
    for (int i = 0; i < n; i++) {
      s.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return s.append('"').toString();
  }

  private static String message(Random random) {
    StringBuilder m = new StringBuilder("{");
    int fields = random.nextInt(4);
    for (int f = 0; f < fields; f++) {
      m.append(f == 0 ? "" : ",").append(literal(random, random.nextInt(3))).append(':');
      switch (random.nextInt(3)) {
        case 0 -> m.append(literal(random, random.nextInt(40)));
        case 1 -> m.append('[').append(literal(random, random.nextInt(20))).append(",{\"n\":[1,2]}]");
        default -> m.append(random.nextInt(1000));
      }
    }
    return m.append('}').toString();
  }

  @Test
  void countingFindsTheSameMessagesAsTheValidatingParserWhateverTheStringsHold() throws Exception {
    Random random = new Random(42);
    for (int trial = 0; trial < 2_000; trial++) {
      List<String> messages = new ArrayList<>();
      int n = 1 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        messages.add(message(random));
      }
      byte[] body = ("{\"messages\":[" + String.join(",", messages) + "]}").getBytes(StandardCharsets.UTF_8);
      assertThat(BatchScanner.counting(body, body.length)).as(new String(body, StandardCharsets.UTF_8))
          .containsExactly(BatchScanner.validating(body, body.length));
    }
  }

  @Test
  void countingRefusesABodyThatEndsInsideAString() {
    for (String body : List.of("{\"messages\":[{\"a\":\"unterminated", "{\"messages\":[{\"a\":\"ends in \\",
        "{\"messages\":[{\"a\":\"0123456789abcdef0123456789\\\"}]}")) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> BatchScanner.counting(bytes, bytes.length)).as(body)
          .isInstanceOf(MalformedBodyException.class);
    }
  }

  @Test
  void closingQuoteSkipsEscapesAcrossWordBoundaries() {
    for (int pad = 0; pad < 20; pad++) {
      String content = "y".repeat(pad) + "\\\"" + "z".repeat(pad) + "\\\\";
      byte[] bytes = (content + "\"tail").getBytes(StandardCharsets.UTF_8);
      assertThat(BatchScanner.closingQuote(bytes, 0, bytes.length)).as(content).isEqualTo(content.length());
    }
  }
}
