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
  private final NetworkModel network;
  private final Map<String, RateLimiter> limits;
  private final Responder responder;
  private final AtomicLong batchIds = new AtomicLong();

  public DcsHandler(SimulatorSettings settings, TokenStore tokens, FaultPlan faults, Recorder recorder,
      List<RejectionRule> rules, Responder responder) {
    this.settings = settings;
    this.tokens = tokens;
    this.faults = faults;
    this.recorder = recorder;
    this.rules = rules;
    this.responder = responder;
    this.network = new NetworkModel(settings.latency(), settings.jitter(), settings.bandwidthBytesPerSecond(),
        settings.seed());
    this.limits = new java.util.concurrent.ConcurrentHashMap<>();
    if (settings.requestsPerSecond() > 0) {
      settings.inlets().keySet().forEach(inlet -> limits.put(inlet,
          new RateLimiter(settings.requestsPerSecond(), settings.messagesPerSecond())));
    }
  }

  /**
   * What to answer: recorded before it is sent, so a client that has its answer finds it in the record.
   * {@code acknowledged} are the ids (at the id pointer) the answer tells the client were accepted.
   */
  @SuppressWarnings({"ArrayRecordComponent", "ReferenceEquality"}) // never compared; DROP and HOLD are sentinels
  private record Answer(int status, byte[] body, int messages, List<String> acknowledged, Fault fault) {
    static final Answer DROP = new Answer(0, null, 0, List.of(), null);
    static final Answer HOLD = new Answer(0, null, 0, List.of(), null);

    Answer(int status, byte[] body, int messages) {
      this(status, body, messages, List.of(), null);
    }

    Answer withFault(Fault f) {
      return this == DROP || this == HOLD ? this : new Answer(status, body, messages, acknowledged, f);
    }
  }

  @Override
  @SuppressWarnings("ReferenceEquality") // Answer.DROP and Answer.HOLD are sentinels, compared by identity
  public void handle(HttpExchange exchange) throws IOException {
    Answer answer;
    long requestBytes = 0;
    try {
      try {
        answer = serve(exchange);
      } catch (Exchanges.TooLargeException e) {
        answer = answer(413, "{\"message\":\"request body exceeds " + settings.maxRequestBytes() + " bytes\"}", 0);
      }
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      requestBytes = length == null ? 0 : Long.parseLong(length.trim());
    } catch (IOException | RuntimeException e) {
      exchange.close();
      throw e;
    }
    recorder.answered(new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        exchange.getRequestURI().getRawQuery(), headers(exchange), answer.status(), answer.messages()));
    if (answer == Answer.DROP) {
      responder.drop(exchange); // closing the exchange before any header drops the connection
      return;
    }
    if (answer == Answer.HOLD) {
      responder.hold(exchange);
      return;
    }
    Fault fault = answer.fault();
    long delay = network.instant() ? 0 : network.delayNanos(requestBytes + answer.body().length);
    if (fault != null && fault.kind() == Fault.Kind.DELAY) {
      delay += fault.delay().toNanos();
    }
    long trickle = fault != null && fault.kind() == Fault.Kind.SLOW_BODY ? fault.delay().toNanos() : 0;
    List<String> acknowledged = answer.acknowledged();
    responder.send(exchange, answer.status(), answer.body(), delay, trickle,
        acknowledged.isEmpty() ? () -> { } : () -> recorder.acknowledged(acknowledged),
        acknowledged.isEmpty() ? () -> { } : () -> recorder.unacknowledged(acknowledged));
  }

  private Answer serve(HttpExchange exchange) throws IOException {
    @SuppressWarnings("StringSplitter") // a trailing "/" still names the same inlet, as it always did
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
      // Read no further than a served inlet would, and never inflate: an unknown inlet must not cost memory.
      Exchanges.skipRaw(exchange, settings.maxRequestBytes());
      return answer(404, json("message", "inlet " + inletId + " not found"), 0);
    }
    byte[] body = Exchanges.body(exchange, settings.maxRequestBytes());

    RateLimiter limit = limits.get(inletId);
    if (limit != null) {
      long waitNanos = limit.tryAcquire(batch ? countMessages(body) : 1);
      if (waitNanos > 0) {
        // AEP states whole seconds; never 0, which would invite an immediate retry.
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        exchange.getResponseHeaders().set("Retry-After", String.valueOf(seconds));
        return answer(429, "{\"message\":\"Too many requests: the inlet's rate limit is exceeded\"}", 0);
      }
    }

    Fault fault = faults.next();
    if (fault != null) {
      switch (fault.kind()) {
        case EXPIRE_TOKENS -> tokens.expireAll();
        case DROP_CONNECTION -> {
          return Answer.DROP;
        }
        case HOLD -> {
          return Answer.HOLD;
        }
        case STATUS -> {
          String retryAfter = fault.retryAfterAt(java.time.Instant.now());
          if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
          }
          return answer(fault.status(), "{\"message\":\"simulated " + fault.status() + "\"}", 0).withFault(fault);
        }
        default -> { } // DELAY and SLOW_BODY when answering; the 207 kinds in answerBatch
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
    Answer answer = batch ? answerBatch(inletId, body, fault) : answerSingle(exchange, inletId, body, fault);
    return answer.withFault(fault);
  }

  private int countMessages(byte[] body) {
    try {
      return Math.max(1, BatchScanner.counting(body, body.length).length / 2);
    } catch (MalformedBodyException e) {
      return 1;
    }
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

  private Answer answerSingle(HttpExchange exchange, String inletId, byte[] body, Fault fault) throws IOException {
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
    if (fault != null && fault.kind() == Fault.Kind.ENTRY_STATUS) {
      return answer(fault.status(), json("message", "simulated " + fault.status()), 1);
    }
    String xactionId = "sim-" + batchIds.incrementAndGet() + ":0";
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("inletId", inletId);
    fields.put("xactionId", xactionId);
    fields.put("receivedTimeMs", System.currentTimeMillis());
    byte[] json = MAPPER.writeValueAsBytes(fields);
    if (fault != null && fault.kind() == Fault.Kind.GARBLED_RESPONSES) {
      return new Answer(200, java.util.Arrays.copyOf(json, json.length / 2), 1);
    }
    String id = id(message);
    recorder.accepted(id, body, 0, body.length, xactionId);
    return new Answer(200, json, 1, id == null ? List.of() : List.of(id), null);
  }

  private Answer answerBatch(String inletId, byte[] body, Fault fault) throws IOException {
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
    Fault.Kind kind = fault == null ? null : fault.kind();
    boolean answerEntries = kind != Fault.Kind.MISSING_RESPONSES;
    boolean garbled = kind == Fault.Kind.GARBLED_RESPONSES;
    boolean entryStatus = kind == Fault.Kind.ENTRY_STATUS;
    int answered = kind == Fault.Kind.SHORT_RESPONSES ? count - 1 : count;
    // A 207 with one entry too few or too many is a protocol error (AEP-PROTOCOL.md §1): a client cannot tell which
    // entry answers which message, so nothing in it counts as acknowledged.
    boolean wellFormed = kind != Fault.Kind.SHORT_RESPONSES && kind != Fault.Kind.EXTRA_RESPONSES;
    List<String> acknowledged = new java.util.ArrayList<>();
    if (answerEntries) {
      write(out, ",\"responses\":[");
    }
    for (int i = 0; i < answered; i++) {
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
      if (entryStatus && problem == null) {
        write(out, "{\"statusCode\":" + fault.status() + ",\"message\":\"simulated " + fault.status() + "\"}");
      } else if (problem == null) {
        String xactionId = batchId + ":" + i;
        if (!garbled) {
          recorder.accepted(id, body, start, end, xactionId);
          if (id != null && answerEntries && wellFormed) {
            acknowledged.add(id);
          }
        }
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
    if (kind == Fault.Kind.EXTRA_RESPONSES) {
      write(out, (answered > 0 ? "," : "") + "{\"xactionId\":\"" + batchId + ":" + count + "\"}");
    }
    write(out, answerEntries ? "]}" : "}");
    byte[] json = out.toByteArray();
    if (garbled) {
      return new Answer(207, java.util.Arrays.copyOf(json, Math.max(1, json.length / 2)), count);
    }
    return new Answer(207, json, count, acknowledged, null);
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
