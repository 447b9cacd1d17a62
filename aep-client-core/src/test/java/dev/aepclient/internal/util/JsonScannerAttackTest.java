package dev.aepclient.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Adversarial review of {@link JsonScanner}. Attacked: its promise that {@link JsonScanner#isObject} answers
 * {@code true} only for input that Jackson's check, as {@link Json} runs it (START_OBJECT, skipChildren, then no
 * token), accepts; that it never throws, whatever the bytes (also bytes that are not UTF-8); and that it stays
 * linear on 1 MiB of pathological input. Inputs: every sequence of up to six or seven symbols of small alphabets
 * (structure, numbers, literals, strings and escapes, names, white space and look-alikes), every one-byte edit of a
 * corpus of well-formed objects, every code point and every unicode escape (both cases), nesting around
 * {@value JsonScanner#MAX_DEPTH} with every mix of arrays and objects, the length limits, random bytes, and names
 * built to collide in Jackson's symbol table.
 *
 * <p>Two attacks found where the promise needed stating precisely: names built to collide in Jackson's name table
 * (Jackson's guard against hash flooding refuses a well-formed object that the scanner, keeping no names, accepts;
 * now part of the scanner's stated contract, with the guard kept on Jackson's path), and bytes that are not UTF-8
 * (outside the scanner's precondition; {@link Json} refuses them before the scanner runs).
 */
class JsonScannerAttackTest {

  private static final HexFormat HEX = HexFormat.of();

  static boolean jacksonAccepts(JsonFactory factory, byte[] utf8) {
    return JacksonOracle.accepts(factory, utf8);
  }

  static boolean jacksonAccepts(byte[] utf8) {
    return JacksonOracle.accepts(utf8);
  }

  /** The scanner's answer, failing the test if it throws. */
  static boolean scan(byte[] bytes) {
    try {
      return JsonScanner.isObject(bytes);
    } catch (RuntimeException e) {
      throw new AssertionError("isObject threw " + e + " on " + show(bytes), e);
    }
  }

  /** The promise for one input: never a throw, and {@code true} only if Jackson accepts. The scanner's answer. */
  static boolean promise(byte[] bytes) {
    boolean scanner = scan(bytes);
    if (scanner && !jacksonAccepts(bytes)) {
      throw new AssertionError("the scanner accepted what Jackson refuses: " + show(bytes));
    }
    return scanner;
  }

  static boolean isStrictUtf8(byte[] bytes) {
    return StrictUtf8.firstMalformed(bytes) < 0;
  }

  static String show(byte[] bytes) {
    String hex = bytes.length > 200 ? HEX.formatHex(bytes, 0, 200) + "…" : HEX.formatHex(bytes);
    String text = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8);
    StringBuilder literal = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      literal.append(c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? String.format("\\u%04x", (int) c) : c);
    }
    return "hex " + hex + " (" + bytes.length + " bytes), as Java " + literal + "\"";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // --- exhaustive small alphabets ---------------------------------------------------------------------------------

  /**
   * Checks the promise for {@code prefix} followed by every sequence of up to {@code maxLength} symbols; the number
   * the scanner accepted (so a caller can see that the enumeration reached accepting inputs at all).
   */
  static long everySequence(String prefix, List<String> symbols, int maxLength) {
    byte[] head = utf8(prefix);
    byte[][] sym = symbols.stream().map(JsonScannerAttackTest::utf8).toArray(byte[][]::new);
    int k = sym.length;
    long accepted = 0;
    byte[] buffer = new byte[head.length + maxLength * 4];
    System.arraycopy(head, 0, buffer, 0, head.length);
    for (int length = 0; length <= maxLength; length++) {
      int[] digit = new int[length];
      while (true) {
        int n = head.length;
        for (int d = 0; d < length; d++) {
          byte[] s = sym[digit[d]];
          System.arraycopy(s, 0, buffer, n, s.length);
          n += s.length;
        }
        if (promise(Arrays.copyOf(buffer, n))) {
          accepted++;
        }
        int d = length - 1;
        while (d >= 0 && ++digit[d] == k) {
          digit[d--] = 0;
        }
        if (d < 0) {
          break;
        }
      }
    }
    return accepted;
  }

  @Example
  void everyStructureOfUpToSevenSymbols() {
    long accepted = everySequence("{", List.of("{", "}", "[", "]", ",", ":", "\"", "0", " "), 7);
    assertThat(accepted).isPositive();
  }

  @Example
  void everyNumberOfUpToSixSymbols() {
    long accepted = everySequence("{\"\":", List.of("0", "1", "-", "+", ".", "e", "E", "}", "]", "[", " "), 6);
    assertThat(accepted).isPositive();
  }

  @Example
  void everyLiteralOfUpToSixSymbols() {
    long accepted = everySequence("{\"\":", List.of("t", "r", "u", "e", "n", "l", "f", "a", "s", "}", "1"), 6);
    assertThat(accepted).isPositive();
  }

  @Example
  void everyStringValueOfUpToSixSymbols() {
    long accepted = everySequence("{\"\":\"",
        List.of("\"", "\\", "u", "0", "F", "n", "/", "\u001f", "\u007f", "}", "é"), 6);
    assertThat(accepted).isPositive();
  }

  @Example
  void everyNameOfUpToSixSymbols() {
    long accepted = everySequence("{", List.of("\"", "\\", "u", "0", ":", "a", "\u0001", "}", " ", "1"), 6);
    assertThat(accepted).isPositive();
  }

  @Example
  void everyWhiteSpaceAndLookAlikeOfUpToFiveSymbols() {
    // \f, vertical tab, NUL, NBSP (C2 A0), BOM (EF BB BF), LINE SEPARATOR, NEL (C2 85), DEL: none is JSON white space
    long accepted = everySequence("", List.of("{", "}", " ", "\t", "\n", "\r", "\f", "\u000b", "\u0000", "\u00a0",
        "\ufeff", "\u2028", "\u0085", "\u007f", "\"", ":", "0"), 5);
    assertThat(accepted).isPositive();
  }

  // --- one-byte edits of well-formed objects ----------------------------------------------------------------------

  static final List<String> CORPUS = List.of("{}", " {} ", "{\"\":\"\"}", "{\"a\":1}", "{\"a\":-0}", "{\"a\":0.0e-0}",
      "{\"a\":1E+5}", "{\"a\":-12.5e10,\"b\":[true,false,null]}", "{\"a\":[[[]]],\"b\":{\"c\":{}}}",
      "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD800\"}", "{\"é€😀\":\"é€😀\u007f\"}", "{\"a\":1,\"a\":2}",
      "{ \"a\" : [ 1 , { \"b\" : null } ] }\r\n", "{\"abcdefgh\":\"ijklmnopqrstuvwx\"}", "{\"a\":[1,2,3,{},[]]}",
      "\t{\"k\":true}\n", "{\"x\":false}", "{\"n\":null}", "{\"s\":\"0123456789abcdef\"}", "{\"a\":[\"\",\"\"]}");

  @Example
  void everyTruncationDeletionReplacementAndInsertion_ofEveryByte() {
    List<byte[]> inserts = new ArrayList<>();
    for (int c = 0; c < 256; c++) {
      inserts.add(new byte[] {(byte) c});
    }
    for (String s : List.of("\u00a0", "\ufeff", "\u2028", "\u0085", "é", "😀", "\\u", "\\uD800", "1e", "-", "//",
        "/**/", "tru", "01", ".5", "'", ",", "[", "{")) {
      inserts.add(utf8(s));
    }
    for (String json : CORPUS) {
      byte[] doc = utf8(json);
      assertThat(promise(doc)).as(json).isTrue();
      for (int at = 0; at <= doc.length; at++) {
        check(Arrays.copyOf(doc, at)); // a cut or a deletion may split a UTF-8 sequence
        if (at < doc.length) {
          check(concat(Arrays.copyOf(doc, at), Arrays.copyOfRange(doc, at + 1, doc.length)));
          for (int c = 0; c < 256; c++) {
            byte[] replaced = doc.clone();
            replaced[at] = (byte) c;
            check(replaced);
          }
        }
        for (byte[] insert : inserts) {
          check(concat(Arrays.copyOf(doc, at), insert,
              Arrays.copyOfRange(doc, at, doc.length)));
        }
      }
    }
  }

  /**
   * The promise for strict UTF-8 (what {@link Json} hands the scanner); for other bytes, only that it does not throw
   * (that it accepts some of them, and why that is safe:
   * {@link #bytesThatAreNotUtf8_insideAString_areRefusedBeforeTheScannerRuns}).
   */
  private static void check(byte[] bytes) {
    if (isStrictUtf8(bytes)) {
      promise(bytes);
    } else {
      scan(bytes);
    }
  }

  @Example
  void everyLengthUpTo48_withAQuoteBackslashOrControlAtEveryPosition() {
    for (int n = 0; n <= 48; n++) {
      String filler = "y".repeat(Math.max(0, n - 8));
      String json = "{\"ab\":\"" + filler + "\"}";
      byte[] doc = utf8(json);
      for (int at = 0; at < doc.length; at++) {
        for (byte c : new byte[] {'"', '\\', 0x1f, 0x00, 0x7f, '}', ' '}) {
          byte[] edited = doc.clone();
          edited[at] = c;
          promise(edited);
        }
        promise(Arrays.copyOf(doc, at));
      }
    }
  }

  // --- code points and escapes ------------------------------------------------------------------------------------

  @Example
  void everyCodePoint_inValuesAndNames() {
    StringBuilder values = new StringBuilder();
    List<String> names = new ArrayList<>();
    StringBuilder name = new StringBuilder();
    for (int cp = 0x20; cp <= Character.MAX_CODE_POINT; cp++) {
      if (cp == '"' || cp == '\\' || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
        continue;
      }
      values.appendCodePoint(cp);
      name.appendCodePoint(cp);
      if (name.length() >= 200) {
        names.add(name.toString());
        name.setLength(0);
      }
      if (values.length() >= 100_000) {
        assertThat(promise(utf8("{\"v\":\"" + values + "\"}"))).isTrue();
        values.setLength(0);
      }
    }
    assertThat(promise(utf8("{\"v\":\"" + values + "\"}"))).isTrue();
    names.add(name.toString());
    for (int from = 0; from < names.size(); from += 500) {
      StringBuilder doc = new StringBuilder("{");
      for (String n : names.subList(from, Math.min(names.size(), from + 500))) {
        doc.append(doc.length() > 1 ? "," : "").append('"').append(n).append("\":0");
      }
      assertThat(promise(utf8(doc.append('}').toString()))).isTrue();
    }
    for (int c = 0; c < 0x20; c++) {
      assertThat(promise(utf8("{\"v\":\"" + (char) c + "\"}"))).isFalse();
      assertThat(promise(utf8("{\"" + (char) c + "\":0}"))).isFalse();
    }
  }

  @Example
  void everyUnicodeEscape_inAValue() {
    for (boolean upper : new boolean[] {false, true}) {
      StringBuilder s = new StringBuilder();
      for (int u = 0; u <= 0xffff; u++) {
        String digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        s.append("\\u");
        for (int shift = 12; shift >= 0; shift -= 4) {
          s.append(digits.charAt(u >>> shift & 0xf));
        }
        if ((u & 0x3ff) == 0x3ff) {
          assertThat(promise(utf8("{\"v\":\"" + s + "\"}"))).isTrue();
          s.setLength(0);
        }
      }
    }
    for (String bad : List.of("\\u", "\\u1", "\\u12", "\\u123", "\\u123g", "\\uG123", "\\u 123", "\\U1234", "\\x41",
        "\\'", "\\a", "\\0", "\\\u00e9", "\\u12\u00e9")) {
      assertThat(promise(utf8("{\"v\":\"" + bad + "\"}"))).as(bad).isFalse();
    }
  }

  // --- nesting ----------------------------------------------------------------------------------------------------

  /** An object nested {@code kinds.length} deep below the root: '{' or '[' per level, a member or element each. */
  static String nested(char[] kinds, int mismatchAt) {
    StringBuilder s = new StringBuilder("{\"r\":");
    for (char k : kinds) {
      s.append(k == '{' ? "{\"k\":" : "[");
    }
    s.append('0');
    for (int level = kinds.length - 1; level >= 0; level--) {
      boolean object = kinds[level] == '{';
      s.append(level == mismatchAt ? (object ? ']' : '}') : (object ? '}' : ']'));
    }
    return s.append('}').toString();
  }

  @Example
  void everyMixOfArraysAndObjects_upToTwelveDeep_withEveryMismatchedCloser() {
    for (int depth = 0; depth <= 12; depth++) {
      for (int mask = 0; mask < 1 << depth; mask++) {
        char[] kinds = new char[depth];
        for (int d = 0; d < depth; d++) {
          kinds[d] = (mask >>> d & 1) != 0 ? '{' : '[';
        }
        assertThat(promise(utf8(nested(kinds, -1)))).isTrue();
        for (int at = 0; at < depth; at++) {
          assertThat(promise(utf8(nested(kinds, at)))).isFalse();
        }
      }
    }
  }

  @Example
  void aroundTheMaximumDepth_withRandomMixesAndMismatches() {
    Random random = new Random(64);
    for (int depth = JsonScanner.MAX_DEPTH - 4; depth <= JsonScanner.MAX_DEPTH + 2; depth++) {
      for (int trial = 0; trial < 300; trial++) {
        char[] kinds = new char[depth];
        for (int d = 0; d < depth; d++) {
          kinds[d] = switch (trial) {
            case 0 -> '[';
            case 1 -> '{';
            case 2 -> d % 2 == 0 ? '[' : '{';
            default -> random.nextBoolean() ? '{' : '[';
          };
        }
        // the root object is one level: the scanner takes MAX_DEPTH containers in all
        assertThat(promise(utf8(nested(kinds, -1)))).isEqualTo(depth + 1 <= JsonScanner.MAX_DEPTH);
        for (int at = 0; at < depth; at++) {
          assertThat(promise(utf8(nested(kinds, at)))).isFalse();
        }
        String siblings = nested(kinds, -1);
        promise(utf8(siblings.substring(0, siblings.length() - 1) + ",\"s\":" + siblings + "}"));
      }
    }
  }

  // --- the length limits ------------------------------------------------------------------------------------------

  @Example
  void numbersNamesAndInputAroundTheScannersLimits() {
    for (int length = JsonScanner.MAX_NUMBER_CHARS - 3; length <= JsonScanner.MAX_NUMBER_CHARS + 3; length++) {
      for (String number : List.of("1".repeat(length), "-" + "9".repeat(length - 1), "0." + "5".repeat(length - 2),
          "1e" + "7".repeat(length - 2), "-1.5E+" + "3".repeat(length - 6), "0".repeat(length))) {
        promise(utf8("{\"a\":" + number + "}"));
        promise(utf8("{\"a\":[" + number + "," + number + "]}"));
      }
    }
    for (int length = JsonScanner.MAX_NAME_BYTES - 6; length <= JsonScanner.MAX_NAME_BYTES + 3; length++) {
      promise(utf8("{\"" + "n".repeat(length) + "\":1}"));
      promise(utf8("{\"" + "é".repeat(length / 2) + "\":1}"));
      promise(utf8("{\"" + "€".repeat(length / 3) + "\":1,\"" + "€".repeat(length / 3) + "\":2}"));
    }
    for (int extra = -2; extra <= 2; extra++) {
      int content = JsonScanner.MAX_BYTES - "{\"a\":\"\"}".length() + extra;
      promise(utf8("{\"a\":\"" + "x".repeat(content) + "\"}"));
      promise(utf8("{\"a\":\"" + "x".repeat(content) + "\"} "));
    }
  }

  // --- arbitrary bytes ----------------------------------------------------------------------------------------------

  @Property(tries = 3000)
  void randomBytes_neverThrow_andAreAcceptedOnlyIfJacksonAccepts(@ForAll("bytes") byte[] bytes) {
    if (isStrictUtf8(bytes)) {
      promise(bytes);
    } else {
      scan(bytes);
    }
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    Arbitrary<Byte> any = Arbitraries.bytes();
    Arbitrary<Byte> json = Arbitraries.of((byte) '{', (byte) '}', (byte) '[', (byte) ']', (byte) '"', (byte) ':',
        (byte) ',', (byte) '\\', (byte) 'u', (byte) '0', (byte) '1', (byte) '-', (byte) 'e', (byte) '.', (byte) ' ',
        (byte) 't', (byte) 'r', (byte) 'n', (byte) 'l', (byte) 0x80, (byte) 0xc3, (byte) 0xa9, (byte) 0xff);
    Arbitrary<Byte> b = Arbitraries.frequencyOf(Tuple.of(1, any), Tuple.of(4, json));
    return b.list().ofMaxSize(40).map(list -> {
      byte[] out = new byte[list.size() + 1];
      out[0] = '{';
      for (int i = 0; i < list.size(); i++) {
        out[i + 1] = list.get(i);
      }
      return out;
    });
  }

  /**
   * Bytes from 0x80 up are taken as they are in strings and names, so the scanner alone would take lone continuation
   * bytes, bad lead bytes and truncated sequences: its precondition is strict UTF-8, and {@link Json} checks that
   * first ({@code AepMessage.of(String)} hands it only the JDK encoder's output). Through {@link Json} every one of
   * these is refused, as not UTF-8.
   */
  @Example
  void bytesThatAreNotUtf8_insideAString_areRefusedBeforeTheScannerRuns() {
    List<byte[]> garbage = List.of(HEX.parseHex("7b2261223a2280227d"), HEX.parseHex("7b2261223a22ff227d"),
        HEX.parseHex("7b2261223a22c3227d"), HEX.parseHex("7b2280223a307d"), HEX.parseHex("7b2261223a22e282227d"));
    for (byte[] bytes : garbage) {
      assertThat(isStrictUtf8(bytes)).isFalse();
      assertThat(jacksonAccepts(bytes)).as(show(bytes)).isFalse();
      assertThatThrownBy(() -> Json.requireObject(bytes)).as(show(bytes))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid UTF-8");
    }
  }

  // --- Jackson's symbol table -------------------------------------------------------------------------------------

  /**
   * Names of four or more quads hash their quads from the fourth on by plain addition in Jackson's name table,
   * whatever the seed, so permutations of those quads all collide, and Jackson refuses 1,100 such 40-byte names
   * ("suspect a DoS attack based on hash collisions"): a guard of its table, since colliding names would make each
   * lookup a linear search. The object is well-formed: the scanner, which keeps no names, accepts it (its stated
   * contract), every time; an object Jackson has to decide (a name with an escape) still meets the guard.
   */
  @Example
  void namesCollidingInJacksonsNameTable_wellFormed_scannerAccepts_JacksonsPathKeepsItsGuard() {
    byte[] doc = collidingNames(1_100);
    byte[] escaped = utf8(new String(doc, StandardCharsets.UTF_8).replaceFirst("pppp", "\\\\u0070ppp"));
    for (int round = 0; round < 3; round++) {
      assertThat(scan(doc)).isTrue();
      Json.requireObject(doc);
    }
    assertThat(jacksonAccepts(Json.CHECKING.copy(), doc)).as("Jackson's guard, a fresh table").isFalse();
    assertThat(scan(escaped)).as("a name with an escape: Jackson's path").isFalse();
    assertThat(jacksonAccepts(Json.CHECKING.copy(), escaped)).as("the guard on Jackson's path").isFalse();
  }

  /** {@code {"pppppppppppp<perm>":0,...}}: each name 12 fixed bytes and a permutation of seven four-byte quads. */
  static byte[] collidingNames(int count) {
    List<String> names = new ArrayList<>();
    permutations(new ArrayList<>(List.of("aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff", "gggg")), "", names, count);
    StringBuilder s = new StringBuilder("{");
    for (String n : names) {
      s.append(s.length() > 1 ? "," : "").append("\"pppppppppppp").append(n).append("\":0");
    }
    return utf8(s.append('}').toString());
  }

  private static void permutations(List<String> quads, String prefix, List<String> out, int max) {
    if (out.size() >= max) {
      return;
    }
    if (quads.isEmpty()) {
      out.add(prefix);
      return;
    }
    for (int i = 0; i < quads.size(); i++) {
      List<String> rest = new ArrayList<>(quads);
      String q = rest.remove(i);
      permutations(rest, prefix + q, out, max);
    }
  }

  // --- time -------------------------------------------------------------------------------------------------------

  @Example
  void oneMebibyteOfPathologicalInput_isScannedInLinearTime() {
    int size = JsonScanner.MAX_BYTES;
    List<Supplier<byte[]>> inputs = List.of(
        () -> fill("{\"a\":", "[", "", size),
        () -> fill("{\"a\":", "[{\"\":", "", size),
        () -> fill("{\"a\":[", "\"\",", "0]}", size),
        () -> fill("{", "\"\":0,", "\"\":0}", size),
        () -> fill("{\"a\":[", "[".repeat(62) + "]".repeat(62) + ",", "0]}", size),
        () -> fill("{\"a\":[", "{\"\":[{\"\":[]}]},", "0]}", size),
        () -> fill("{\"a\":\"", "\\u0000", "\"}", size),
        () -> fill("{\"a\":\"", "\\\"", "\"}", size),
        () -> fill("{\"a\":[", "1".repeat(99) + ",", "0]}", size),
        () -> fill("{\"a\":[", "-0.0e-0,", "0]}", size),
        () -> fill("{\"a\":[", "true,", "0]}", size),
        () -> fill("{", " ", "}", size),
        () -> fill("{\"a\":\"", "é", "\"}", size),
        () -> fill("{\"a\":\"", "x", "", size));
    for (Supplier<byte[]> input : inputs) {
      byte[] bytes = input.get();
      long start = System.nanoTime();
      boolean accepted = scan(bytes);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("%d ms on %s", millis, show(bytes)).isLessThan(2_000);
      if (accepted) {
        assertThat(jacksonAccepts(bytes)).as(show(bytes)).isTrue();
      }
    }
  }

  /** {@code head}, then {@code unit} as often as fits, then {@code tail}: at most {@code size} bytes. */
  static byte[] fill(String head, String unit, String tail, int size) {
    byte[] h = utf8(head);
    byte[] u = utf8(unit);
    byte[] t = utf8(tail);
    int count = (size - h.length - t.length) / u.length;
    byte[] out = new byte[h.length + count * u.length + t.length];
    System.arraycopy(h, 0, out, 0, h.length);
    for (int i = 0; i < count; i++) {
      System.arraycopy(u, 0, out, h.length + i * u.length, u.length);
    }
    System.arraycopy(t, 0, out, out.length - t.length, t.length);
    return out;
  }
}
