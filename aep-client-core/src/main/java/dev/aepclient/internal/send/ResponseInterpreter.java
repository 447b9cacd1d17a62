package dev.aepclient.internal.send;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.internal.http.RetryAfter;
import dev.aepclient.internal.util.Json;
import dev.aepclient.internal.util.RemoteText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a DCS answer to an {@link AttemptOutcome} as AEP-PROTOCOL.md §2 prescribes (401/403 are handled by the
 * sender, which owns the token). A 200/207 is read entry by entry; an answer without a {@code responses} array of
 * the right length is a protocol error, retried, never taken as success.
 *
 * <p>A 2xx answer that cannot be read entry by entry (a short or long {@code responses} array, garbled JSON) is
 * retried as a whole, as AEP-PROTOCOL.md prescribes, and logged at WARN: AEP may have taken some of those
 * messages, so the retry can deliver them twice. The alternative, taking the first entries of a short array as
 * the first messages' receipts, could report a message delivered on the strength of another message's entry
 * (a silent loss); a duplicate is the lesser harm, and delivery is at-least-once anyway.
 *
 * <p>Every text from AEP (entry {@code message}, error bodies, the {@code Location} of a redirect) goes through
 * {@link RemoteText#sanitize(CharSequence)} before it reaches an exception or a log line.
 */
final class ResponseInterpreter {
  private static final Logger log = LoggerFactory.getLogger(ResponseInterpreter.class);

  private final Clock clock;

  ResponseInterpreter(Clock clock) {
    this.clock = clock;
  }

  AttemptOutcome interpret(int status, byte[] body, String retryAfterHeader, String location, int messageCount,
      boolean single) {
    if (status >= 200 && status < 300) {
      AttemptOutcome outcome = single ? singleAnswer(status, body) : batchAnswer(status, body, messageCount);
      if (outcome.isRetryable()) {
        log.warn("AEP answered {} to a request of {} messages with an answer that cannot be read entry by entry"
            + " ({}); sending all of them again, so AEP may receive some twice", status, messageCount,
            outcome.detail);
      }
      return outcome;
    }
    if (status >= 300 && status < 400) {
      // Never followed: OkHttp would turn a 301/302 POST into a GET, or replay the body (and its data) to
      // another host on a 307/308. A DCS inlet does not redirect; an answer like this is a misconfigured URL
      // or something in between.
      return AttemptOutcome.fatal(AepDeliveryException.Reason.REQUEST_REFUSED, status, "the inlet answered with"
          + " a redirect to " + (location == null ? "(no Location)" : RemoteText.sanitize(location, 300))
          + "; the client does not follow redirects: set aep.inlet.url (inletUrl) to the streaming inlet URL"
          + " itself", null);
    }
    return switch (status) {
      case 400 -> AttemptOutcome.badRequest(status, detail(body));
      case 413 -> AttemptOutcome.tooLarge(detail(body));
      case 408, 429, 500, 502, 503, 504 ->
          AttemptOutcome.retry(status, detail(body), RetryAfter.parse(retryAfterHeader, clock), null);
      case 404 -> AttemptOutcome.fatal(AepDeliveryException.Reason.REQUEST_REFUSED, status,
          "inlet not found; check aep.inlet.url (inletUrl) against the streaming connection in AEP", null);
      case 501 -> AttemptOutcome.fatal(AepDeliveryException.Reason.REQUEST_REFUSED, status,
          "not implemented here: synchronous validation is not supported in this region; turn off"
              + " aep.sync.validation (syncValidation)", null);
      default -> status >= 500
          ? AttemptOutcome.retry(status, detail(body), RetryAfter.parse(retryAfterHeader, clock), null)
          : AttemptOutcome.fatal(AepDeliveryException.Reason.REQUEST_REFUSED, status, detail(body), null);
    };
  }

  private AttemptOutcome singleAnswer(int status, byte[] body) {
    JsonNode root = readJson(body);
    String xactionId = root == null ? "" : root.path("xactionId").asText("");
    if (xactionId.isEmpty()) {
      return AttemptOutcome.retry(status, "protocol error: answer without an xactionId", null, null);
    }
    List<Object> entries = List.of(new Delivery(xactionId, root.path("inletId").asText(""), "",
        root.path("receivedTimeMs").asLong(0)));
    return AttemptOutcome.answered(status, entries);
  }

  /**
   * Reads a 207 body with the streaming parser (it carries one entry per message, so it is on the hot path):
   * {@code inletId}, {@code batchId}, {@code receivedTimeMs} and the {@code responses} array, in any field order.
   */
  private AttemptOutcome batchAnswer(int status, byte[] body, int messageCount) {
    String inletId = "";
    String batchId = "";
    long receivedTimeMs = 0;
    String[] xactionIds = null;
    int[] statuses = null;
    String[] reasons = null;
    int entryCount = -1;
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return protocolError(status, "answer is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "inletId" -> inletId = scalarText(p, value);
          case "batchId" -> batchId = scalarText(p, value);
          case "receivedTimeMs" -> receivedTimeMs = value.isNumeric() ? p.getValueAsLong(0) : 0;
          case "responses" -> {
            if (value != JsonToken.START_ARRAY) {
              p.skipChildren();
              continue;
            }
            xactionIds = new String[messageCount];
            statuses = new int[messageCount];
            reasons = new String[messageCount];
            entryCount = 0;
            for (JsonToken entry = p.nextToken(); entry != JsonToken.END_ARRAY; entry = p.nextToken()) {
              if (entry != JsonToken.START_OBJECT || entryCount >= messageCount) {
                p.skipChildren();
                entryCount++;
                continue;
              }
              readEntry(p, entryCount, xactionIds, statuses, reasons);
              entryCount++;
            }
          }
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      return protocolError(status, "answer is not well-formed JSON");
    }
    if (entryCount != messageCount) {
      return protocolError(status, "answer has no 'responses' array of " + messageCount + " entries"
          + (entryCount >= 0 ? " (it has " + entryCount + ")" : ""));
    }
    List<Object> entries = new ArrayList<>(messageCount);
    for (int i = 0; i < messageCount; i++) {
      int entryStatus = statuses[i];
      if (entryStatus == 408 || entryStatus == 429 || (entryStatus >= 500 && entryStatus != 501)) {
        // Transient for that message (AEP busy or failing on its part): only it is sent again.
        entries.add(new AttemptOutcome.RetryableEntry(entryStatus, reasons[i] == null ? ""
            : RemoteText.sanitize(reasons[i])));
      } else if (entryStatus != 0 && (entryStatus < 200 || entryStatus >= 300)) {
        entries.add(new AepRejectedException(entryStatus == -1 ? 400 : entryStatus,
            reasons[i] == null ? "" : RemoteText.sanitize(reasons[i])));
      } else if (xactionIds[i] == null || xactionIds[i].isEmpty()) {
        return protocolError(status, "an entry has neither a statusCode nor an xactionId");
      } else {
        entries.add(new Delivery(xactionIds[i], inletId, batchId, receivedTimeMs));
      }
    }
    return AttemptOutcome.answered(status, entries);
  }

  /** One {@code responses} entry; {@code statusCode} (or the connector's {@code status}) marks a failure. */
  private static void readEntry(JsonParser p, int i, String[] xactionIds, int[] statuses, String[] reasons)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "xactionId" -> xactionIds[i] = scalarText(p, value);
        case "statusCode", "status" -> {
          if (value != JsonToken.VALUE_NULL && (statuses[i] == 0 || "statusCode".equals(field))) {
            statuses[i] = value.isScalarValue() ? p.getValueAsInt(-1) : -1;
          }
          p.skipChildren();
        }
        case "message" -> reasons[i] = scalarText(p, value);
        default -> p.skipChildren();
      }
    }
  }

  private static String scalarText(JsonParser p, JsonToken value) throws IOException {
    if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
      return p.getValueAsString("");
    }
    p.skipChildren();
    return "";
  }

  private static AttemptOutcome protocolError(int status, String problem) {
    return AttemptOutcome.retry(status, "protocol error: " + problem, null, null);
  }

  private static JsonNode readJson(byte[] body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * A short explanation from an error body: AEP's message fields when it is JSON, else its beginning; control
   * characters escaped and the length bounded.
   */
  static String detail(byte[] bytes) {
    String body = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    if (body.isBlank()) {
      return "";
    }
    JsonNode root = readJson(bytes);
    if (root != null) {
      for (String pointer : new String[] {"/message", "/detail", "/report/message", "/title", "/error"}) {
        JsonNode node = root.at(pointer);
        if (node.isTextual() && !node.asText().isBlank()) {
          return truncate(node.asText());
        }
      }
    }
    return truncate(body.strip());
  }

  private static String truncate(String text) {
    return RemoteText.sanitize(text);
  }
}
