package dev.aepclient.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link JsonScanner}, the fast path of the well-formedness check, against Jackson's streaming parser run as
 * {@link Json} runs it (the oracle). The promise: the scanner never accepts what Jackson refuses (so the fast path
 * cannot widen what {@code AepMessage.of} lets through), and within its limits it accepts all Jackson accepts (so
 * well-formed messages really take the fast path). Inputs: generated well-formed objects, the same with random edits
 * biased to JSON's structural characters, and a catalogue of the classic malformations.
 */
class JsonScannerOracleTest {

  static boolean jacksonAccepts(byte[] utf8) {
    return JacksonOracle.accepts(utf8);
  }

  /**
   * The scanner accepts only what Jackson accepts; and what Jackson accepts, the scanner accepts too unless a
   * backslash may stand in a name (names with an escape are left to Jackson; the generators keep them out of the
   * well-formed objects, so there the two must agree exactly).
   */
  private static void agrees(String json) {
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    boolean jackson = jacksonAccepts(utf8);
    boolean scanner = JsonScanner.isObject(utf8);
    if (scanner) {
      assertThat(jackson).as("the scanner accepted what Jackson refuses: %s", json).isTrue();
    } else if (jackson && json.indexOf('\\') < 0) {
      throw new AssertionError("Jackson accepts what the scanner left to it: " + json);
    }
  }

  @Property(tries = 3000)
  void wellFormedObjects_areAcceptedByBoth(@ForAll("objects") String json) {
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    assertThat(jacksonAccepts(utf8)).as(json).isTrue();
    assertThat(JsonScanner.isObject(utf8)).as(json).isTrue();
  }

  @Property(tries = 20000)
  void editedObjects_theScannerAndJacksonAgree(@ForAll("edited") String json) {
    agrees(json);
  }

  @Property(tries = 3000)
  void truncatedObjects_areRefusedByBoth(@ForAll("objects") String json, @ForAll("fractions") double cut) {
    int at = (int) (json.length() * cut);
    if (at > 0 && at < json.length() && Character.isLowSurrogate(json.charAt(at))) {
      at--; // whole code points only: the scanner is handed well-formed UTF-8
    }
    String prefix = json.substring(0, at);
    agrees(prefix);
    assertThat(JsonScanner.isObject(prefix.getBytes(StandardCharsets.UTF_8))).as(prefix)
        .isEqualTo(prefix.strip().equals(json.strip()));
  }

  @Example
  void theClassicMalformations_areRefusedByBoth() {
    List<String> bad = List.of("", " ", "{", "}", "{]", "[]", "\"a\"", "1", "null", "{}{}", "{} x", "{,}", "{\"a\"}",
        "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}", "{\"a\":'x'}",
        "{\"a\":01}", "{\"a\":-01}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":1e}", "{\"a\":1e+}",
        "{\"a\":--1}", "{\"a\":-}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":0x10}", "{\"a\":tru}",
        "{\"a\":truex}", "{\"a\":nul}", "{\"a\":True}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\u123\"}", "{\"a\":\"\u0001\"}", "{\"a\":\"\n\"}", "{\"a\":\"\t\"}", "{\"a\":\"x}",
        "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":[}", "{\"a\":{]}", "{\"a\":1]", "{\"a\":[1}",
        "{\"a\":1}\u0000", "\u0000{}", "{\u000b\"a\":1}", "{\"a\":1}\f", "{\"a\" : 1 /* c */}", "{\"a\":1}//",
        "{\"\u0001\":1}", "{\"a\\q\":1}", "{\"a\":\"\\", "{\"a\":\"\\u", "{\"a\":1e5", "{\"a\":[", "{\"a\":",
        "{\"a\"", "{\"");
    for (String json : bad) {
      byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
      assertThat(JsonScanner.isObject(utf8)).as(json).isFalse();
      assertThat(jacksonAccepts(utf8)).as(json).isFalse();
      assertThatThrownBy(() -> Json.requireObject(utf8)).as(json).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Example
  void theEdgesOfTheGrammar_areAcceptedByBoth() {
    List<String> good = List.of("{}", " \t\r\n{ \t\r\n} \t\r\n", "{\"\":\"\"}", "{\"a\":-0}", "{\"a\":0.0e-0}",
        "{\"a\":1E+9}", "{\"a\":-1.5e10}", "{\"a\":[[[[]]]]}", "{\"a\":{\"b\":{}}}", "{\"a\":[true,false,null]}",
        "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}", "{\"a\":\"\\uD800\"}", "{\"a\":\"\u007f\"}",
        "{\"é€😀\":\"é€😀\"}", "{\"a\":1,\"a\":2}", "{\"a\":\"" + "x".repeat(1000) + "\"}");
    for (String json : good) {
      byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
      assertThat(JsonScanner.isObject(utf8)).as(json).isTrue();
      assertThat(jacksonAccepts(utf8)).as(json).isTrue();
    }
  }

  @Example
  void beyondItsLimits_theScannerLeavesTheDecisionToJackson() {
    String deep = "{\"a\":" + "[".repeat(JsonScanner.MAX_DEPTH) + "]".repeat(JsonScanner.MAX_DEPTH) + "}";
    String longNumber = "{\"a\":" + "1".repeat(JsonScanner.MAX_NUMBER_CHARS + 1) + "}";
    String longName = "{\"" + "n".repeat(JsonScanner.MAX_NAME_BYTES + 1) + "\":1}";
    String large = "{\"a\":\"" + "x".repeat(JsonScanner.MAX_BYTES) + "\"}";
    for (String json : List.of(deep, longNumber, longName, large)) {
      byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
      assertThat(JsonScanner.isObject(utf8)).isFalse();
      assertThat(jacksonAccepts(utf8)).isTrue();
      Json.requireObject(utf8); // accepted all the same, by Jackson
    }
    String deepest = "{\"a\":" + "[".repeat(JsonScanner.MAX_DEPTH - 2) + "]".repeat(JsonScanner.MAX_DEPTH - 2) + "}";
    assertThat(JsonScanner.isObject(deepest.getBytes(StandardCharsets.UTF_8))).isTrue();
    String longestName = "{\"" + "n".repeat(JsonScanner.MAX_NAME_BYTES) + "\":1}";
    assertThat(JsonScanner.isObject(longestName.getBytes(StandardCharsets.UTF_8))).isTrue();
  }

  @Example
  void everyPositionInAString_findsTheQuoteBackslashOrControlCharacter() {
    for (int pad = 0; pad < 24; pad++) {
      String filler = "y".repeat(pad);
      agrees("{\"a\":\"" + filler + "\"}");
      agrees("{\"a\":\"" + filler + "\\n" + filler + "\"}");
      agrees("{\"a\":\"" + filler + "\u001f" + filler + "\"}");
      agrees("{\"a\":\"" + filler + "é\u0080" + filler + "\"}");
      agrees("{\"a\":\"" + filler + "\"" + filler + "\"}");
      agrees("{\"a\":\"" + filler);
    }
  }

  // --- generators -------------------------------------------------------------------------------------------------

  @Provide
  Arbitrary<Double> fractions() {
    return Arbitraries.doubles().between(0, 1);
  }

  @Provide
  Arbitrary<String> objects() {
    return object(4);
  }

  @Provide
  Arbitrary<String> edited() {
    Arbitrary<String> pieces = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "0", "1", "-", "+",
        ".", "e", "E", "t", "true", "n", "null", "f", "false", " ", "\t", "\n", "\r", "\u0000", "\u0001", "\u001f",
        "\u000b", "\f", "\u007f", "é", "€", "😀", "x", "/", "*", "'", "\\\"", "\\x", "00", "1e", "[]", "{}", "\"\"");
    Arbitrary<Tuple.Tuple3<Integer, Integer, String>> edit = Combinators.combine(Arbitraries.integers().between(0, 2),
        Arbitraries.doubles().between(0, 1).map(d -> (int) (d * 10_000)), pieces).as(Tuple::of);
    return Combinators.combine(object(3), edit.list().ofMinSize(1).ofMaxSize(3)).as((json, edits) -> {
      StringBuilder s = new StringBuilder(json);
      for (Tuple.Tuple3<Integer, Integer, String> e : edits) {
        int at = s.length() == 0 ? 0 : e.get2() % (s.length() + 1);
        while (at > 0 && at < s.length() && Character.isLowSurrogate(s.charAt(at))) {
          at--; // edit whole code points only
        }
        switch (e.get1()) {
          case 0 -> s.insert(at, e.get3());
          case 1 -> {
            if (at < s.length()) {
              s.delete(at, at + Character.charCount(s.codePointAt(at)));
            }
          }
          default -> {
            if (at < s.length()) {
              s.replace(at, at + Character.charCount(s.codePointAt(at)), e.get3());
            }
          }
        }
      }
      return s.toString();
    });
  }

  private static Arbitrary<String> ws() {
    return Arbitraries.of("", "", "", " ", "\n", "\t", "\r\n", "  ");
  }

  private static Arbitrary<String> object(int depth) {
    Arbitrary<String> member = Combinators.combine(ws(), name(), ws(), ws(), value(depth - 1), ws())
        .as((a, name, b, c, v, d) -> a + name + b + ":" + c + v + d);
    return Combinators.combine(ws(), member.list().ofMaxSize(5), ws())
        .as((a, members, b) -> a + "{" + (members.isEmpty() ? b : String.join(",", members)) + "}" + b);
  }

  private static Arbitrary<String> array(int depth) {
    Arbitrary<String> element = Combinators.combine(ws(), value(depth - 1), ws()).as((a, v, b) -> a + v + b);
    return element.list().ofMaxSize(5).map(elements -> "[" + String.join(",", elements) + "]");
  }

  private static Arbitrary<String> value(int depth) {
    if (depth <= 0) {
      return Arbitraries.oneOf(string(), number(), Arbitraries.of("true", "false", "null"));
    }
    return Arbitraries.frequencyOf(Tuple.of(3, string()), Tuple.of(3, number()),
        Tuple.of(1, Arbitraries.of("true", "false", "null")), Tuple.of(1, Arbitraries.lazy(() -> object(depth))),
        Tuple.of(1, Arbitraries.lazy(() -> array(depth))));
  }

  private static Arbitrary<String> number() {
    Arbitrary<String> integer = Arbitraries.oneOf(Arbitraries.just("0"),
        Arbitraries.longs().between(1, Long.MAX_VALUE).map(String::valueOf));
    Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12)
        .map(d -> "." + d).injectNull(0.6).map(f -> f == null ? "" : f);
    Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(3)).as((e, sign, d) -> e + sign + d)
        .injectNull(0.7).map(x -> x == null ? "" : x);
    return Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
        .as((sign, i, f, e) -> sign + i + f + e);
  }

  /** Names without escapes: the scanner leaves names with one to Jackson. */
  private static Arbitrary<String> name() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("é€\u007f").ofMaxLength(20)
        .map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\"");
  }

  private static Arbitrary<String> string() {
    Arbitrary<String> plain = Arbitraries.strings().withCharRange(' ', '~').withChars("é€\u007f\u00a0")
        .ofMaxLength(30).map(s -> s.replace("\\", "\\\\").replace("\"", "\\\""));
    Arbitrary<String> escape = Arbitraries.of("\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000",
        "\\u00E9", "\\uD83D\\uDE00", "\\uffff", "😀", "\u0800");
    return Combinators.combine(plain, escape.list().ofMaxSize(3), plain)
        .as((a, escapes, b) -> "\"" + a + String.join("", escapes) + b + "\"");
  }
}
