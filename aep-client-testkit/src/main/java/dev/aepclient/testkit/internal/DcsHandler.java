package dev.aepclient.testkit.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * {@code POST /collection/{inlet}} and {@code POST /collection/batch/{inlet}} as AEP-PROTOCOL.md describes DCS:
 * 404 for an unknown inlet, 413 above the size limit, 401/403 without a valid token on an authenticated inlet,
 * 400 for a missing required header or a malformed body, else 200 (single) or 207 with one entry per message.
 */
public final class DcsHandler implements HttpHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();
  private static final String UNAUTHORIZED_BODY = "{\"type\":\"https://ns.adobe.com/adobecloud/problem/"
      + "data-collection-service-authorization\",\"status\":\"401\",\"title\":\"Authorization\","
      + "\"report\":{\"message\":\"[id] Ims service token is empty\"}}";
  private static final String FORBIDDEN_BODY = "{\"type\":\"https://ns.adobe.com/adobecloud/problem/"
      + "data-collection-service-authorization\",\"status\":\"403\",\"title\":\"Authorization\","
      + "\"report\":{\"message\":\"[id] Ims service token is invalid or expired\"}}";

  private final SimulatorSettings settings;
  private final TokenStore tokens;
  private final FaultPlan faults;
  private final Recorder recorder;
  private final List<RejectionRule> rules;
  private final AtomicLong batchIds = new AtomicLong();

  public DcsHandler(SimulatorSettings settings, TokenStore tokens, FaultPlan faults, Recorder recorder,
      List<RejectionRule> rules) {
    this.settings = settings;
    this.tokens = tokens;
    this.faults = faults;
    this.recorder = recorder;
    this.rules = rules;
  }

  /** What to answer: recorded before it is sent, so a client that has its answer finds it in the record. */
  private record Answer(int status, byte[] body, int messages) {
    static final Answer DROP = new Answer(0, null, 0);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      Answer answer;
      try {
        answer = serve(exchange);
      } catch (Exchanges.TooLargeException e) {
        answer = answer(413, "{\"message\":\"request body exceeds " + settings.maxRequestBytes() + " bytes\"}", 0);
      }
      recorder.answered(new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestURI().getRawQuery(), headers(exchange), answer.status(), answer.messages()));
      if (answer != Answer.DROP) {
        Exchanges.send(exchange, answer.status(), answer.body());
      } // else closing the exchange before any header drops the connection
    } finally {
      exchange.close();
    }
  }

  private Answer serve(HttpExchange exchange) throws IOException {
    String[] segments = exchange.getRequestURI().getPath().split("/");
    // ["", "collection", inlet] or ["", "collection", "batch", inlet]
    boolean batch = segments.length == 4 && "batch".equals(segments[2]);
    if (!"POST".equals(exchange.getRequestMethod()) || segments.length < 3 || segments.length > 4
        || (segments.length == 4 && !batch)) {
      return answer(404, "{\"message\":\"no such resource\"}", 0);
    }
    String inletId = segments[segments.length - 1];
    Boolean authenticated = settings.inlets().get(inletId);
    if (authenticated == null) {
      Exchanges.body(exchange, Integer.MAX_VALUE - 8);
      return answer(404, "{\"message\":\"inlet " + inletId + " not found\"}", 0);
    }
    byte[] body = Exchanges.body(exchange, settings.maxRequestBytes());

    Fault fault = faults.next();
    if (fault != null) {
      switch (fault.kind()) {
        case EXPIRE_TOKENS -> tokens.expireAll();
        case DELAY -> pause(fault);
        case DROP_CONNECTION -> {
          return Answer.DROP;
        }
        case STATUS -> {
          if (fault.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", fault.retryAfter());
          }
          return answer(fault.status(), "{\"message\":\"simulated " + fault.status() + "\"}", 0);
        }
        case MISSING_RESPONSES -> { } // handled when answering
      }
    }

    if (authenticated) {
      TokenStore.Check check = tokens.check(exchange.getRequestHeaders().getFirst("Authorization"));
      if (check == TokenStore.Check.MISSING) {
        return answer(401, UNAUTHORIZED_BODY, 0);
      } else if (check != TokenStore.Check.VALID) {
        return answer(403, FORBIDDEN_BODY, 0);
      }
    }
    String missing = missingHeader(exchange);
    if (missing != null) {
      return answer(400, "{\"message\":\"" + missing + "\"}", 0);
    }
    return batch ? answerBatch(exchange, inletId, body, fault) : answerSingle(exchange, inletId, body);
  }

  private String missingHeader(HttpExchange exchange) {
    var h = exchange.getRequestHeaders();
    if (settings.requiredOrgId() != null && !settings.requiredOrgId().equals(h.getFirst("x-gw-ims-org-id"))) {
      return "header x-gw-ims-org-id must be " + settings.requiredOrgId();
    }
    if (settings.requiredSandbox() != null && !settings.requiredSandbox().equals(h.getFirst(settings.sandboxHeader()))) {
      return "header " + settings.sandboxHeader() + " must be " + settings.requiredSandbox();
    }
    if (settings.requiredFlowId() != null && !settings.requiredFlowId().equals(h.getFirst("x-adobe-flow-id"))) {
      return "header x-adobe-flow-id must be " + settings.requiredFlowId();
    }
    return null;
  }

  private Answer answerSingle(HttpExchange exchange, String inletId, byte[] body) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    if (query != null && query.contains("syncValidation=true") && !settings.syncValidationSupported()) {
      return answer(501, "{\"message\":\"synchronous validation is not supported in this region\"}", 0);
    }
    JsonNode message;
    try {
      message = MAPPER.readTree(body);
    } catch (IOException e) {
      return answer(400, "{\"message\":\"malformed JSON\"}", 0);
    }
    if (message == null || !message.isObject()) {
      return answer(400, "{\"message\":\"message is not a JSON object\"}", 0);
    }
    RejectionRule rule = matchingRule(message);
    if (rule != null) {
      recorder.rejected();
      return answer(rule.status(), json("message", rule.message()), 1);
    }
    String xactionId = "sim-" + batchIds.incrementAndGet() + ":0";
    recorder.accepted(id(message), body, 0, body.length, xactionId);
    return answer(200, "{\"inletId\":\"" + inletId + "\",\"xactionId\":\"" + xactionId
        + "\",\"receivedTimeMs\":" + System.currentTimeMillis() + "}", 1);
  }

  private Answer answerBatch(HttpExchange exchange, String inletId, byte[] body, Fault fault) throws IOException {
    int[] bounds;
    try {
      bounds = settings.validating() ? BatchScanner.validating(body, body.length)
          : BatchScanner.counting(body, body.length);
    } catch (MalformedBodyException e) {
      return answer(400, json("message", e.getMessage()), 0);
    }
    int count = bounds.length / 2;
    long batchId = batchIds.incrementAndGet();
    boolean inspect = settings.validating() && (!rules.isEmpty() || settings.idPointer() != null);
    // Written by hand rather than with a generator: one entry per message makes this the simulator's hot path.
    ByteArrayOutputStream out = Exchanges.buffer(96 + count * 40);
    write(out, "{\"inletId\":\"");
    out.writeBytes(QUOTER.quoteAsUTF8(inletId));
    write(out, "\",\"batchId\":\"");
    write(out, String.valueOf(batchId));
    write(out, "\",\"receivedTimeMs\":" + System.currentTimeMillis());
    boolean answerEntries = fault == null || fault.kind() != Fault.Kind.MISSING_RESPONSES;
    if (answerEntries) {
      write(out, ",\"responses\":[");
    }
    for (int i = 0; i < count; i++) {
      int start = bounds[2 * i];
      int end = bounds[2 * i + 1];
      String problem = null;
      int problemStatus = 400;
      String id = null;
      if (settings.validating() && body[start] != '{') {
        problem = "message is not a JSON object";
      } else if (inspect) {
        JsonNode message = MAPPER.readTree(body, start, end - start);
        id = id(message);
        RejectionRule rule = matchingRule(message);
        if (rule != null) {
          problem = rule.message();
          problemStatus = rule.status();
        }
      }
      if (answerEntries && i > 0) {
        out.write(',');
      }
      if (problem == null) {
        String xactionId = batchId + ":" + i;
        recorder.accepted(id, body, start, end, xactionId);
        if (answerEntries) {
          write(out, "{\"xactionId\":\"");
          write(out, xactionId);
          write(out, "\"}");
        }
      } else {
        recorder.rejected();
        if (answerEntries) {
          write(out, "{\"statusCode\":" + problemStatus + ",\"message\":\"");
          out.writeBytes(QUOTER.quoteAsUTF8(problem));
          write(out, "\"}");
        }
      }
    }
    write(out, answerEntries ? "]}" : "}");
    return new Answer(207, out.toByteArray(), count);
  }

  private static void write(ByteArrayOutputStream out, String ascii) {
    out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  private RejectionRule matchingRule(JsonNode message) {
    for (RejectionRule rule : rules) {
      if (rule.when().test(message)) {
        return rule;
      }
    }
    return null;
  }

  private String id(JsonNode message) {
    if (settings.idPointer() == null) {
      return null;
    }
    JsonNode node = message.at(settings.idPointer());
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  private static void pause(Fault fault) {
    try {
      Thread.sleep(fault.delay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Answer answer(int status, String json, int messages) {
    return new Answer(status, json.getBytes(StandardCharsets.UTF_8), messages);
  }

  private static String json(String field, String value) throws IOException {
    return MAPPER.writeValueAsString(Map.of(field, value));
  }

  private static Map<String, List<String>> headers(HttpExchange exchange) {
    return exchange.getRequestHeaders().entrySet().stream().collect(Collectors.toUnmodifiableMap(
        e -> e.getKey().toLowerCase(Locale.ROOT), e -> List.copyOf(e.getValue()), (a, b) -> a));
  }
}
