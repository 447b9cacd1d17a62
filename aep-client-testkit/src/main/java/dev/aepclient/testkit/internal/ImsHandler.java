package dev.aepclient.testkit.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.RecordedRequest;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Adobe IMS as the client meets it: {@code POST /ims/token/v3} (OAuth Server-to-Server, {@code expires_in} in
 * seconds) and {@code POST /ims/exchange/jwt} (Service Account JWT, {@code expires_in} in milliseconds), with
 * IMS-style errors ({@code invalid_client}, {@code invalid_scope}, …) and an outage switch.
 */
public final class ImsHandler implements HttpHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SimulatorSettings settings;
  private final TokenStore tokens;
  private final Recorder recorder;
  private final Clock clock;
  private final Supplier<String> imsBase;
  private final FaultPlan faults;
  private final Responder responder;
  private volatile Instant downUntil = Instant.MIN;

  public ImsHandler(SimulatorSettings settings, TokenStore tokens, Recorder recorder, Clock clock,
      Supplier<String> imsBase, FaultPlan faults, Responder responder) {
    this.settings = settings;
    this.tokens = tokens;
    this.recorder = recorder;
    this.clock = clock;
    this.imsBase = imsBase;
    this.faults = faults;
    this.responder = responder;
  }

  /** IMS answers 503 until {@code until}. */
  public void downUntil(Instant until) {
    downUntil = until;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    byte[] bytes;
    int status;
    Fault fault;
    try {
      byte[] body = Exchanges.body(exchange, 64 * 1024);
      String path = exchange.getRequestURI().getPath();
      fault = faults.next();
      Fault.Kind kind = fault == null ? null : fault.kind();
      if (kind == Fault.Kind.DROP_CONNECTION || kind == Fault.Kind.HOLD) {
        recorder.answered(new RecordedRequest(exchange.getRequestMethod(), path, null, Map.of(), 0, 0));
        if (kind == Fault.Kind.HOLD) {
          responder.hold(exchange);
        } else {
          responder.drop(exchange);
        }
        return;
      }
      Answer answer;
      if (kind == Fault.Kind.STATUS) {
        String retryAfter = fault.retryAfterAt(clock.instant());
        if (retryAfter != null) {
          exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        answer = error(fault.status(), "server_error", "simulated IMS " + fault.status());
      } else if (!"POST".equals(exchange.getRequestMethod())) {
        answer = error(405, "method_not_allowed", "use POST");
      } else if (clock.instant().isBefore(downUntil)) {
        answer = error(503, "temporarily_unavailable", "simulated IMS outage");
      } else if (path.equals("/ims/token/v3")) {
        answer = oauth(Forms.parse(body));
      } else if (path.equals("/ims/exchange/jwt")) {
        answer = jwt(Forms.parse(body));
      } else {
        answer = error(404, "not_found", "no such IMS endpoint");
      }
      recorder.answered(new RecordedRequest(exchange.getRequestMethod(), path, null, Map.of(), answer.status, 0));
      bytes = MAPPER.writeValueAsBytes(answer.body);
      status = answer.status;
    } catch (IOException | RuntimeException e) {
      exchange.close();
      throw e;
    }
    long delay = fault != null && fault.kind() == Fault.Kind.DELAY ? fault.delay().toNanos() : 0;
    long trickle = fault != null && fault.kind() == Fault.Kind.SLOW_BODY ? fault.delay().toNanos() : 0;
    responder.send(exchange, status, bytes, delay, trickle, () -> { }, () -> { });
  }

  private record Answer(int status, Map<String, Object> body) {}

  private static Answer error(int status, String error, String description) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("error_description", description);
    return new Answer(status, body);
  }

  private static Answer token(String token, long expiresIn) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token);
    body.put("token_type", "bearer");
    body.put("expires_in", expiresIn);
    return new Answer(200, body);
  }

  private Answer oauth(Map<String, String> form) {
    if (!"client_credentials".equals(form.get("grant_type"))) {
      return error(400, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    SimulatorSettings.OAuthCredential credential = settings.oauthCredentials().get(form.get("client_id"));
    if (credential == null) {
      return error(400, "invalid_client", "invalid client_id parameter");
    }
    if (!credential.clientSecret().equals(form.get("client_secret"))) {
      return error(401, "invalid_client", "invalid client_secret parameter");
    }
    String scope = form.get("scope");
    if (scope == null || scope.isBlank()) {
      return error(400, "invalid_scope", "scope parameter is required");
    }
    List<String> scopes = Arrays.stream(scope.split(",")).map(String::trim).toList();
    for (String s : scopes) {
      if (!credential.allowedScopes().contains(s)) {
        return error(400, "invalid_scope", "invalid scope (" + s + ")");
      }
    }
    return token(tokens.issue(settings.tokenLifetime()), settings.tokenLifetime().toSeconds());
  }

  private Answer jwt(Map<String, String> form) {
    SimulatorSettings.JwtCredential credential = settings.jwtCredentials().get(form.get("client_id"));
    if (credential == null) {
      return error(400, "invalid_client", "invalid client_id parameter");
    }
    if (!credential.clientSecret().equals(form.get("client_secret"))) {
      return error(401, "invalid_client", "invalid client_secret parameter");
    }
    String problem = JwtVerifier.problem(form.get("jwt_token"), credential.publicKey(), imsBase.get(),
        form.get("client_id"), credential.orgId(), credential.technicalAccountId(), credential.metascope(),
        clock.instant());
    if (problem != null) {
      return error(400, "invalid_token", problem);
    }
    return token(tokens.issue(settings.tokenLifetime()), settings.tokenLifetime().toMillis());
  }
}
