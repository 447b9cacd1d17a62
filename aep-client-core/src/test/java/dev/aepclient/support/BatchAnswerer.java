package dev.aepclient.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WireMock transformer that answers a DCS batch request as AEP does: 207 with one {@code responses} entry per
 * message, in order. Messages with {@code "bad": true} get a per-message 400; every other one is accepted and its
 * {@code "id"} counted. Stubs opt in with {@code .withTransformers(BatchAnswerer.NAME)}.
 */
public final class BatchAnswerer implements ResponseDefinitionTransformerV2 {
  public static final String NAME = "batch-answerer";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  private final AtomicLong xactions = new AtomicLong();
  private final AtomicInteger largestBatch = new AtomicInteger();
  private final AtomicInteger largestBody = new AtomicInteger();

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  /** Forgets what was seen. */
  public void reset() {
    accepted.clear();
    largestBatch.set(0);
    largestBody.set(0);
  }

  /**
   * Parameters a stub may set: {@code wholeRequest400} (answer 400 to the whole request when it holds a bad
   * message, as DCS does for a malformed envelope) and {@code maxBody} (answer 413 above that many bytes).
   */
  @Override
  public ResponseDefinition transform(ServeEvent event) {
    byte[] body = event.getRequest().getBody();
    largestBody.accumulateAndGet(body.length, Math::max);
    var parameters = event.getTransformerParameters();
    if (parameters.containsKey("maxBody") && body.length > parameters.getInt("maxBody")) {
      return answer(event, 413, "{\"message\":\"request too large\"}");
    }
    JsonNode messages;
    try {
      messages = MAPPER.readTree(body).get("messages");
    } catch (IOException e) {
      return answer(event, 400, "{\"message\":\"malformed JSON\"}");
    }
    largestBatch.accumulateAndGet(messages.size(), Math::max);
    if (parameters.getBoolean("wholeRequest400", false)) {
      for (JsonNode message : messages) {
        if (message.path("bad").asBoolean(false)) {
          return answer(event, 400, "{\"message\":\"malformed message\"}");
        }
      }
    }
    ObjectNode answer = MAPPER.createObjectNode();
    answer.put("inletId", "inlet-1");
    answer.put("batchId", "batch-" + xactions.incrementAndGet());
    answer.put("receivedTimeMs", System.currentTimeMillis());
    ArrayNode responses = answer.putArray("responses");
    for (JsonNode message : messages) {
      if (message.path("bad").asBoolean(false)) {
        responses.addObject().put("statusCode", 400).put("message", "XDM header missing");
      } else {
        accepted.computeIfAbsent(message.path("id").asText(), k -> new AtomicInteger()).incrementAndGet();
        responses.addObject().put("xactionId", "x-" + xactions.incrementAndGet());
      }
    }
    try {
      return answer(event, 207, MAPPER.writeValueAsString(answer));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stub's response (delays, headers) with this status and body. */
  private static ResponseDefinition answer(ServeEvent event, int status, String body) {
    return ResponseDefinitionBuilder.like(event.getResponseDefinition()).but()
        .withStatus(status).withBody(body).withHeader("Content-Type", "application/json").build();
  }

  /** How many times each accepted id arrived. */
  public Map<String, AtomicInteger> accepted() {
    return accepted;
  }

  public int largestBatch() {
    return largestBatch.get();
  }

  public int largestBody() {
    return largestBody.get();
  }
}
