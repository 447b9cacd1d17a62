package dev.aepclient.internal.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The shared Jackson objects and the well-formedness check run on every message before it is buffered. */
public final class Json {
  /** Thread-safe once configured; shared by the whole library. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The well-formedness check's parser factory ({@code MAPPER}'s, which is Jackson's defaults). Jackson keeps the
   * names it reads in a table shared by the factory's parsers and refuses a document once that table's collision
   * area is full: its guard against names built to collide, which would otherwise make every lookup a linear search.
   * The guard stays on; {@link JsonScanner}, which keeps no names, never needs it.
   */
  static final JsonFactory CHECKING = MAPPER.getFactory();

  private Json() {}

  /**
   * Checks that {@code utf8} is strict UTF-8 ({@link StrictUtf8}; no byte order mark, not UTF-16 or UTF-32), then
   * that it is exactly one well-formed JSON object: {@link JsonScanner} accepts what it is certain of, and
   * Jackson's streaming parser (no tree is built) decides the rest and explains every refusal.
   *
   * @throws IllegalArgumentException naming the problem and its byte offset; never quoting the content
   */
  public static void requireObject(byte[] utf8) {
    requireObject(utf8, false);
  }

  /**
   * {@link #requireObject(byte[])} for bytes that {@link #utf8(String, String)} made: the JDK's encoder writes
   * well-formed UTF-8 only, so the byte-by-byte UTF-8 check is skipped (the BOM and NUL checks still run).
   */
  public static void requireObjectEncodedFromString(byte[] utf8) {
    requireObject(utf8, true);
  }

  private static void requireObject(byte[] utf8, boolean wellFormedUtf8) {
    if (utf8.length == 0) {
      throw new IllegalArgumentException("message is empty: an AEP message must be a JSON object");
    }
    requireStrictUtf8(utf8, wellFormedUtf8);
    if (JsonScanner.isObject(utf8)) {
      return; // certainly well-formed; anything else, Jackson decides and explains
    }
    try (JsonParser parser = CHECKING.createParser(utf8)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("message is not a JSON object (starts with "
            + (first == null ? "nothing but white space" : describe(first)) + "): AEP accepts JSON objects only");
      }
      // Reads every token to the object's end. String values are skipped, not decoded: Jackson's skipping still
      // checks every UTF-8 sequence, at about half the cost of decoding. Input ending early: JsonEOFException.
      parser.skipChildren();
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException("message has content after its JSON object (at byte "
            + parser.currentTokenLocation().getByteOffset() + "): send one JSON object per message");
      }
    } catch (JsonEOFException e) {
      throw new IllegalArgumentException("message is truncated JSON: input ended inside an object or array (at byte "
          + offset(e) + ")", null);
    } catch (StreamConstraintsException e) {
      throw new IllegalArgumentException("message exceeds a JSON limit: " + e.getOriginalMessage(), null);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("message is not well-formed JSON at byte " + offset(e) + ": "
          + withoutContent(e.getOriginalMessage()), null);
    } catch (CharConversionException e) {
      throw new IllegalArgumentException("message is not valid UTF-8: " + e.getMessage(), null);
    } catch (IOException e) {
      throw new IllegalArgumentException("message could not be read as JSON: " + e.getClass().getSimpleName(), null);
    }
  }

  /**
   * Jackson auto-detects UTF-16 and UTF-32 (from NUL bytes among the first four) and skips a UTF-8 byte order mark,
   * and its UTF-8 decoding is lenient; AEP takes strict UTF-8 JSON only (RFC 8259 §8.1: no BOM). A message that
   * passed here and failed at AEP would fail its whole batch and set off bisection.
   */
  private static void requireStrictUtf8(byte[] utf8, boolean wellFormedUtf8) {
    if (utf8.length >= 3 && utf8[0] == (byte) 0xEF && utf8[1] == (byte) 0xBB && utf8[2] == (byte) 0xBF) {
      throw new IllegalArgumentException("message starts with a byte order mark (EF BB BF): send UTF-8 JSON without"
          + " a BOM");
    }
    for (int i = 0; i < Math.min(4, utf8.length); i++) {
      if (utf8[i] == 0) { // JSON never holds a raw NUL; here it means two- or four-byte code units
        throw new IllegalArgumentException("message has a NUL byte at byte " + i + ": it looks like UTF-16 or UTF-32"
            + " text; AEP takes UTF-8 JSON only");
      }
    }
    int bad = wellFormedUtf8 ? -1 : StrictUtf8.firstMalformed(utf8);
    if (bad >= 0) {
      throw new IllegalArgumentException("message is not valid UTF-8 at byte " + bad + ": "
          + StrictUtf8.describe(utf8, bad) + "; AEP takes UTF-8 JSON only");
    }
  }

  /**
   * Refuses a Java string holding a surrogate that is not part of a pair: {@code String.getBytes(UTF_8)} would
   * silently turn it into {@code ?}, changing the message.
   *
   * @param what names the string in the message, such as "message JSON"
   * @throws IllegalArgumentException naming the char index, never the content
   */
  public static void requireWellFormedUtf16(String text, String what) {
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException(what + " has a lone surrogate (a half of a UTF-16 pair, U+D800 to"
              + " U+DFFF) at char index " + i + ": it has no UTF-8 encoding; fix the text where it was built");
        }
      }
    }
  }

  /**
   * The UTF-8 encoding of {@code text}, refusing lone surrogates (see {@link #requireWellFormedUtf16}).
   *
   * <p>The JDK encodes a lone surrogate as {@code ?}, so an encoding without a {@code ?} byte (found eight bytes at
   * a time) needs no further look. With one byte per char, bytes and chars line up and only the chars behind
   * {@code ?} bytes are looked at; otherwise the whole string is scanned.
   */
  public static byte[] utf8(String text, String what) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int question = StrictUtf8.indexOf(bytes, (byte) '?', 0);
    if (question < 0) {
      return bytes;
    }
    if (bytes.length != text.length()) {
      requireWellFormedUtf16(text, what);
      return bytes;
    }
    for (int i = question; i >= 0; i = StrictUtf8.indexOf(bytes, (byte) '?', i + 1)) {
      if (text.charAt(i) != '?') {
        requireWellFormedUtf16(text, what);
      }
    }
    return bytes;
  }

  private static long offset(JsonProcessingException e) {
    return e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
  }

  /**
   * Jackson's explanation without the excerpts it quotes ({@code Unrecognized token 'hello'}): messages carry
   * customer data, and error texts end up in logs.
   */
  static String withoutContent(String parserMessage) {
    if (parserMessage == null) {
      return "";
    }
    String text = parserMessage;
    int marker = text.indexOf(" (start marker at");
    if (marker >= 0) {
      text = text.substring(0, marker);
    }
    return text.replaceAll("'[^']*'", "'…'").replaceAll("\\(code \\d+\\)", "").replaceAll("\\s+", " ").trim();
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }
}
