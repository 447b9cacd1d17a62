package dev.aepclient.internal.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.CharConversionException;
import java.io.IOException;

/** The shared Jackson objects and the well-formedness check run on every message before it is buffered. */
public final class Json {
  /** Thread-safe once configured; shared by the whole library. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private Json() {}

  /**
   * Checks with Jackson's streaming parser (no tree is built) that {@code utf8} is exactly one well-formed
   * JSON object in valid UTF-8.
   *
   * @throws IllegalArgumentException naming the problem and its byte offset; never quoting the content
   */
  public static void requireObject(byte[] utf8) {
    if (utf8.length == 0) {
      throw new IllegalArgumentException("message is empty: an AEP message must be a JSON object");
    }
    try (JsonParser parser = FACTORY.createParser(utf8)) {
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
