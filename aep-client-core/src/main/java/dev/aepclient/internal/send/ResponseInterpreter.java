package dev.aepclient.internal.send;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.internal.http.RetryAfter;
import dev.aepclient.internal.util.Json;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a DCS answer to an {@link AttemptOutcome} as AEP-PROTOCOL.md §2 prescribes (401/403 are handled by the
 * sender, which owns the token). A 200/207 is read entry by entry; an answer without a {@code responses} array of
 * the right length is a protocol error, retried, never taken as success.
 */
final class ResponseInterpreter {
  private static final int MAX_DETAIL = 500;

  private final Clock clock;

  ResponseInterpreter(Clock clock) {
    this.clock = clock;
  }

  AttemptOutcome interpret(int status, String body, String retryAfterHeader, int messageCount, boolean single) {
    if (status >= 200 && status < 300) {
      return single ? singleAnswer(status, body) : batchAnswer(status, body, messageCount);
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

  private AttemptOutcome singleAnswer(int status, String body) {
    JsonNode root = readJson(body);
    String xactionId = root == null ? "" : root.path("xactionId").asText("");
    if (xactionId.isEmpty()) {
      return AttemptOutcome.retry(status, "protocol error: answer without an xactionId", null, null);
    }
    List<Object> entries = List.of(new Delivery(xactionId, root.path("inletId").asText(""), "",
        root.path("receivedTimeMs").asLong(0)));
    return AttemptOutcome.answered(status, entries);
  }

  private AttemptOutcome batchAnswer(int status, String body, int messageCount) {
    JsonNode root = readJson(body);
    JsonNode responses = root == null ? null : root.get("responses");
    if (responses == null || !responses.isArray() || responses.size() != messageCount) {
      return AttemptOutcome.retry(status, "protocol error: answer has no 'responses' array of " + messageCount
          + " entries" + (responses != null && responses.isArray() ? " (it has " + responses.size() + ")" : ""),
          null, null);
    }
    String inletId = root.path("inletId").asText("");
    String batchId = root.path("batchId").asText("");
    long receivedTimeMs = root.path("receivedTimeMs").asLong(0);
    List<Object> entries = new ArrayList<>(messageCount);
    for (JsonNode entry : responses) {
      JsonNode code = entry.has("statusCode") ? entry.get("statusCode") : entry.get("status");
      int entryStatus = code == null || code.isNull() ? 0 : code.asInt(-1);
      if (entryStatus != 0 && (entryStatus < 200 || entryStatus >= 300)) {
        entries.add(new AepRejectedException(entryStatus == -1 ? 400 : entryStatus, entry.path("message").asText("")));
        continue;
      }
      String xactionId = entry.path("xactionId").asText("");
      if (xactionId.isEmpty()) {
        return AttemptOutcome.retry(status, "protocol error: an entry has neither a statusCode nor an xactionId",
            null, null);
      }
      entries.add(new Delivery(xactionId, inletId, batchId, receivedTimeMs));
    }
    return AttemptOutcome.answered(status, entries);
  }

  private static JsonNode readJson(String body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A short explanation from an error body: AEP's message fields when it is JSON, else its beginning. */
  static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    JsonNode root = readJson(body);
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
    return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
  }
}
