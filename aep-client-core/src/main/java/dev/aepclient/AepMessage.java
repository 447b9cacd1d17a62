package dev.aepclient;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aepclient.internal.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One message for an AEP streaming inlet: a JSON object, checked and encoded as UTF-8 once, when it is made.
 * The bytes are sent as they are (batched requests concatenate them); the client never serializes a message
 * twice. Immutable and thread-safe. {@link #toString()} never shows the content.
 *
 * <p>Every factory throws {@link IllegalArgumentException} for input that AEP could never accept (null, empty,
 * not well-formed JSON, not strict UTF-8, not an object, more than one value); the message names the problem
 * and its byte offset but never quotes the content. Strict UTF-8 means: no byte order mark, no UTF-16 or UTF-32,
 * no overlong forms, no encoded surrogates (CESU-8), nothing above U+10FFFF, no sequence cut short; and for text
 * given as a Java {@code String}, no lone surrogate (which has no UTF-8 form). Trees ({@link JsonNode}) are
 * written by Jackson, which writes every surrogate as a JSON <code>&#92;uXXXX</code> escape, so their bytes are always
 * strict UTF-8.
 */
public final class AepMessage {
  private final byte[] utf8;

  private AepMessage(byte[] utf8) {
    this.utf8 = utf8;
  }

  /**
   * A message from JSON text.
   *
   * @throws IllegalArgumentException if {@code json} is null, holds a lone surrogate, or is not exactly one
   *     well-formed JSON object
   */
  public static AepMessage of(String json) {
    if (json == null) {
      throw new IllegalArgumentException("message JSON is null");
    }
    byte[] utf8 = Json.utf8(json, "message JSON");
    Json.requireObjectEncodedFromString(utf8);
    return new AepMessage(utf8);
  }

  /**
   * A message from UTF-8 encoded JSON. The array is copied, so the caller may reuse it.
   *
   * @throws IllegalArgumentException if {@code utf8Json} is null, not strict UTF-8 (see above), or not exactly one
   *     JSON object
   */
  public static AepMessage of(byte[] utf8Json) {
    if (utf8Json == null) {
      throw new IllegalArgumentException("message bytes are null");
    }
    return checked(utf8Json.clone());
  }

  /**
   * A message from a Jackson tree.
   *
   * @throws IllegalArgumentException if {@code json} is null or not an object node
   */
  public static AepMessage of(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("message must be a JSON object node, got "
          + (json == null ? "null" : json.getNodeType()));
    }
    try {
      return new AepMessage(Json.MAPPER.writeValueAsBytes(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An XDM message: {@code {"header":{...}, "body":{"xdmMeta":{"schemaRef":...}, "xdmEntity": entity}}} as
   * AEP's streaming documentation shapes it.
   *
   * @param header     the schema, dataset, org and flow of the message
   * @param entityJson the record or event, a JSON object
   * @throws IllegalArgumentException if {@code header} is null or {@code entityJson} is not one JSON object
   */
  public static AepMessage xdm(XdmHeader header, String entityJson) {
    if (entityJson == null) {
      throw new IllegalArgumentException("XDM entity JSON is null");
    }
    byte[] entity = Json.utf8(entityJson, "XDM entity JSON");
    Json.requireObjectEncodedFromString(entity);
    return xdm(header, entity);
  }

  /**
   * An XDM message whose entity is a Jackson tree; see {@link #xdm(XdmHeader, String)}.
   *
   * @throws IllegalArgumentException if {@code header} is null or {@code entity} is not an object node
   */
  public static AepMessage xdm(XdmHeader header, JsonNode entity) {
    if (entity == null || !entity.isObject()) {
      throw new IllegalArgumentException("XDM entity must be a JSON object node");
    }
    try {
      return xdm(header, Json.MAPPER.writeValueAsBytes(entity));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static AepMessage xdm(XdmHeader header, byte[] entity) {
    if (header == null) {
      throw new IllegalArgumentException("XDM header is null");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(entity.length + 512);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("header");
      writeSchemaRef(g, header);
      writeIfSet(g, "imsOrgId", header.imsOrgId());
      writeIfSet(g, "datasetId", header.datasetId());
      writeIfSet(g, "flowId", header.flowId());
      if (header.sourceName() != null) {
        g.writeObjectFieldStart("source");
        g.writeStringField("name", header.sourceName());
        g.writeEndObject();
      }
      g.writeNumberField("createdAt",
          header.createdAt() != null ? header.createdAt() : System.currentTimeMillis());
      g.writeEndObject();
      g.writeObjectFieldStart("body");
      g.writeObjectFieldStart("xdmMeta");
      writeSchemaRef(g, header);
      g.writeEndObject();
      g.writeFieldName("xdmEntity");
      g.writeRawValue(new String(entity, StandardCharsets.UTF_8));
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new AepMessage(out.toByteArray());
  }

  private static void writeSchemaRef(JsonGenerator g, XdmHeader header) throws IOException {
    g.writeObjectFieldStart("schemaRef");
    g.writeStringField("id", header.schemaId());
    g.writeStringField("contentType", header.contentType());
    g.writeEndObject();
  }

  private static void writeIfSet(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  private static AepMessage checked(byte[] utf8) {
    Json.requireObject(utf8);
    return new AepMessage(utf8);
  }

  /** The size of the message in UTF-8 bytes, as it goes on the wire. */
  public int sizeInBytes() {
    return utf8.length;
  }

  /** A read-only view of the message's UTF-8 bytes; no copy is made. */
  public ByteBuffer bytes() {
    return ByteBuffer.wrap(utf8).asReadOnlyBuffer();
  }

  /** The message as JSON text (decodes the bytes; meant for tests and diagnostics, not for hot paths). */
  public String json() {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** Shows the size only: messages carry customer data, which must not reach logs by accident. */
  @Override
  public String toString() {
    return "AepMessage[" + utf8.length + " bytes]";
  }
}
