package dev.aepclient.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link StrictUtf8} against the JDK's strict decoder (REPORT on malformed and unmappable input) as the oracle, on
 * generated valid text, valid text with a malformed sequence spliced in, and byte soup biased towards the bytes
 * that matter in UTF-8 (lead bytes, continuation bytes, the edges of Table 3-7).
 */
class StrictUtf8OracleTest {

  /** The offset of the first malformed sequence by the JDK's strict decoder, or -1. */
  static int oracle(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length * 2 + 4);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      return in.position();
    }
    result = decoder.flush(out);
    return result.isError() ? in.position() : -1;
  }

  private static void agreesWithOracle(byte[] bytes) {
    assertThat(StrictUtf8.firstMalformed(bytes)).as(HexFormat.ofDelimiter(" ").formatHex(bytes))
        .isEqualTo(oracle(bytes));
  }

  @Example
  void theFamousBadSequences_areRefusedWhereTheyStart() {
    String[] bad = {"C0 A2", "C1 BF", "E0 80 A2", "E0 9F BF", "F0 80 80 A2", "F0 8F BF BF", "ED A0 80", "ED BF BF",
        "ED A0 80 ED B0 80", "F4 90 80 80", "F5 80 80 80", "F8 88 80 80 80", "FE", "FF", "80", "BF", "C3", "E2 82",
        "F0 9F 98", "C3 41", "E2 28 A1", "F0 9F 28 80"};
    for (String hex : bad) {
      byte[] sequence = HexFormat.ofDelimiter(" ").parseHex(hex);
      byte[] prefix = "{\"abcdefghij\":\"".getBytes(StandardCharsets.US_ASCII); // 15 bytes: past the 8-byte path
      byte[] text = concat(prefix, sequence, "\"}".getBytes(StandardCharsets.US_ASCII));
      assertThat(StrictUtf8.firstMalformed(text)).as(hex).isEqualTo(prefix.length);
      agreesWithOracle(text);
      assertThat(StrictUtf8.describe(text, prefix.length)).as(hex).isNotBlank();
    }
  }

  @Example
  void theEdgesOfEachRange_areAccepted() {
    String[] good = {"00", "7F", "C2 80", "DF BF", "E0 A0 80", "EC BF BF", "ED 80 80", "ED 9F BF", "EE 80 80",
        "EF BF BF", "F0 90 80 80", "F3 BF BF BF", "F4 80 80 80", "F4 8F BF BF", "EF BB BF"};
    for (String hex : good) {
      byte[] text = HexFormat.ofDelimiter(" ").parseHex(hex);
      assertThat(StrictUtf8.firstMalformed(text)).as(hex).isEqualTo(-1);
      agreesWithOracle(text);
    }
  }

  @Example
  void describesEachKindWithoutQuotingBytes() {
    assertThat(StrictUtf8.describe(hex("C0 A2"), 0)).contains("overlong");
    assertThat(StrictUtf8.describe(hex("E0 80 A2"), 0)).contains("overlong");
    assertThat(StrictUtf8.describe(hex("F0 80 80 A2"), 0)).contains("overlong");
    assertThat(StrictUtf8.describe(hex("ED A0 80"), 0)).contains("surrogate");
    assertThat(StrictUtf8.describe(hex("F4 90 80 80"), 0)).contains("above U+10FFFF");
    assertThat(StrictUtf8.describe(hex("F5"), 0)).contains("never occurs");
    assertThat(StrictUtf8.describe(hex("E2 82"), 0)).contains("cut short after 2 bytes");
    assertThat(StrictUtf8.describe(hex("80"), 0)).contains("continuation byte without a lead");
  }

  @Property(tries = 2000)
  void validText_isAccepted(@ForAll("unicodeText") String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertThat(StrictUtf8.firstMalformed(bytes)).isEqualTo(-1);
    agreesWithOracle(bytes);
  }

  @Property(tries = 3000)
  void validTextWithAMalformedSequenceSplicedIn_isRefusedWhereTheOracleRefusesIt(
      @ForAll("unicodeText") String before, @ForAll("malformed") byte[] sequence, @ForAll("unicodeText") String after) {
    byte[] head = before.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = concat(head, sequence, after.getBytes(StandardCharsets.UTF_8));
    agreesWithOracle(bytes);
    assertThat(StrictUtf8.firstMalformed(bytes)).isEqualTo(head.length);
  }

  @Property(tries = 10000)
  void byteSoup_agreesWithTheOracle(@ForAll("utf8ishBytes") byte[] bytes) {
    agreesWithOracle(bytes);
  }

  @Property(tries = 2000)
  void indexOf_findsWhatALoopFinds(@ForAll("utf8ishBytes") byte[] bytes, @ForAll byte value) {
    for (int from = 0; from <= bytes.length; from++) {
      int expected = -1;
      for (int i = from; i < bytes.length; i++) {
        if (bytes[i] == value) {
          expected = i;
          break;
        }
      }
      assertThat(StrictUtf8.indexOf(bytes, value, from)).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<String> unicodeText() {
    Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0x7FF)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x800, 0xFFFF)
            .filter(c -> c < 0xD800 || c > 0xDFFF)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
    return codePoint.list().ofMaxSize(40).map(list -> {
      StringBuilder text = new StringBuilder();
      list.forEach(text::appendCodePoint);
      return text.toString();
    });
  }

  @Provide
  Arbitrary<byte[]> malformed() {
    Arbitrary<Integer> continuation = Arbitraries.integers().between(0x80, 0xBF);
    return Arbitraries.oneOf(
        // overlong forms
        Combinators.combine(Arbitraries.of(0xC0, 0xC1), continuation).as((a, b) -> bytes(a, b)),
        Combinators.combine(Arbitraries.integers().between(0x80, 0x9F), continuation)
            .as((b, c) -> bytes(0xE0, b, c)),
        Combinators.combine(Arbitraries.integers().between(0x80, 0x8F), continuation, continuation)
            .as((b, c, d) -> bytes(0xF0, b, c, d)),
        // encoded surrogates (CESU-8)
        Combinators.combine(Arbitraries.integers().between(0xA0, 0xBF), continuation).as((b, c) -> bytes(0xED, b, c)),
        // above U+10FFFF
        Combinators.combine(Arbitraries.integers().between(0x90, 0xBF), continuation, continuation)
            .as((b, c, d) -> bytes(0xF4, b, c, d)),
        Combinators.combine(Arbitraries.integers().between(0xF5, 0xFF), continuation, continuation)
            .as((a, b, c) -> bytes(a, b, c)),
        // a stray continuation byte
        continuation.map(c -> bytes(c)),
        // a sequence cut short by an ASCII byte
        Combinators.combine(Arbitraries.integers().between(0xC2, 0xDF), Arbitraries.integers().between(0x20, 0x7E))
            .as((a, b) -> bytes(a, b)),
        Combinators.combine(Arbitraries.integers().between(0xE1, 0xEC), continuation,
            Arbitraries.integers().between(0x20, 0x7E)).as((a, b, c) -> bytes(a, b, c)),
        Combinators.combine(Arbitraries.integers().between(0xF1, 0xF3), continuation, continuation,
            Arbitraries.integers().between(0x20, 0x7E)).as((a, b, c, d) -> bytes(a, b, c, d)));
  }

  @Provide
  Arbitrary<byte[]> utf8ishBytes() {
    Arbitrary<Integer> one = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x80, 0xBF)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0xC0, 0xFF)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of(0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0x80,
            0x8F, 0x90, 0x9F, 0xA0, 0xBF)));
    return one.list().ofMaxSize(24).map(list -> {
      byte[] out = new byte[list.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = (byte) (int) list.get(i);
      }
      return out;
    });
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] hex(String hex) {
    return HexFormat.ofDelimiter(" ").parseHex(hex);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : List.of(parts)) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
