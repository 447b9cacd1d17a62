package dev.aepclient.internal.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Jackson's verdict, asked exactly as {@code Json.requireObject} asks it: the oracle of the scanner's tests. */
final class JacksonOracle {
  private JacksonOracle() {}

  /** Whether Jackson, with {@code Json}'s factory, reads {@code utf8} as exactly one JSON object. */
  static boolean accepts(byte[] utf8) {
    return accepts(Json.CHECKING, utf8);
  }

  /** The same with another factory (a fresh copy, say); any exception is a refusal. */
  static boolean accepts(JsonFactory factory, byte[] utf8) {
    try (JsonParser parser = factory.createParser(utf8)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (Exception e) {
      return false;
    }
  }
}
