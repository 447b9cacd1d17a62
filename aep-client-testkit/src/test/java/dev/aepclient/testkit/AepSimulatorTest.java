package dev.aepclient.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.GzipSink;
import okio.Okio;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulator answers plain OkHttp requests exactly as AEP-PROTOCOL.md says DCS and IMS do. */
class AepSimulatorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");
  private static KeyPair jwtKeys;

  private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false)
      .readTimeout(Duration.ofSeconds(10)).build();
  private final List<AepSimulator> started = new ArrayList<>();

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    jwtKeys = generator.generateKeyPair();
  }

  @AfterEach
  void stop() {
    started.forEach(AepSimulator::close);
  }

  private AepSimulator start(AepSimulator.Builder builder) {
    AepSimulator simulator = builder.start();
    started.add(simulator);
    return simulator;
  }

  private AepSimulator start() {
    return start(AepSimulator.builder().idPointer("/id").keepMessages(true));
  }

  private record Answer(int code, JsonNode json, String retryAfter) {}

  private Answer post(String url, RequestBody body, String... headers) throws IOException {
    Request.Builder request = new Request.Builder().url(url).post(body);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try (Response response = http.newCall(request.build()).execute()) {
      String text = response.body().string();
      return new Answer(response.code(), text.isEmpty() ? null : MAPPER.readTree(text), response.header("Retry-After"));
    }
  }

  private Answer postBatch(AepSimulator sim, String body, String... headers) throws IOException {
    return post(sim.baseUrl() + "/collection/batch/inlet-1", RequestBody.create(body, JSON), headers);
  }

  private static String batchOf(String... messages) {
    return "{\"messages\":[" + String.join(",", messages) + "]}";
  }

  @Test
  void singleMessage_200WithAnXactionId() throws IOException {
    AepSimulator sim = start();
    Answer a = post(sim.inletUrl(), RequestBody.create("{\"id\":\"a\"}", JSON));

    assertThat(a.code()).isEqualTo(200);
    assertThat(a.json().path("inletId").asText()).isEqualTo("inlet-1");
    assertThat(a.json().path("xactionId").asText()).isNotEmpty();
    assertThat(a.json().path("receivedTimeMs").asLong()).isPositive();
    assertThat(sim.timesAccepted("a")).isEqualTo(1);
  }

  @Test
  void batch_207WithOneEntryPerMessageInOrder_andPerMessageRejects() throws IOException {
    AepSimulator sim = start();
    sim.rejectWhen(m -> m.path("header").isMissingNode(), 400, "XDM header missing");
    Answer a = postBatch(sim, batchOf("{\"id\":\"1\",\"header\":{}}", "{\"id\":\"2\"}", "{\"id\":\"3\",\"header\":{}}",
        "[1]"));

    assertThat(a.code()).isEqualTo(207);
    assertThat(a.json().path("batchId").asText()).isNotEmpty();
    JsonNode responses = a.json().path("responses");
    assertThat(responses).hasSize(4);
    assertThat(responses.get(0).path("xactionId").asText()).isNotEmpty();
    assertThat(responses.get(1).path("statusCode").asInt()).isEqualTo(400);
    assertThat(responses.get(1).path("message").asText()).isEqualTo("XDM header missing");
    assertThat(responses.get(1).has("xactionId")).isFalse();
    assertThat(responses.get(2).path("xactionId").asText()).isNotEqualTo(responses.get(0).path("xactionId").asText());
    assertThat(responses.get(3).path("message").asText()).contains("not a JSON object");
    assertThat(sim.acceptedIds()).containsOnlyKeys("1", "3");
    assertThat(sim.acceptedMessages()).extracting(AcceptedMessage::json)
        .containsExactly("{\"id\":\"1\",\"header\":{}}", "{\"id\":\"3\",\"header\":{}}");
    assertThat(sim.rejectedCount()).isEqualTo(2);
  }

  @Test
  void unknownInlet_404() throws IOException {
    AepSimulator sim = start();
    assertThat(post(sim.inletUrl("nope"), RequestBody.create("{}", JSON)).code()).isEqualTo(404);
    assertThat(post(sim.baseUrl() + "/collection/batch/nope", RequestBody.create(batchOf("{}"), JSON)).code())
        .isEqualTo(404);
  }

  @Test
  void bodyOverTheLimit_413_atTheLimit_accepted() throws IOException {
    AepSimulator sim = start();
    String prefix = "{\"messages\":[{\"id\":\"big\",\"p\":\"";
    String suffix = "\"}]}";
    String exact = prefix + "x".repeat(1_000_000 - prefix.length() - suffix.length()) + suffix;

    assertThat(postBatch(sim, exact).code()).isEqualTo(207);
    Answer over = postBatch(sim, prefix + "x".repeat(1_000_000 - prefix.length() - suffix.length() + 1) + suffix);
    assertThat(over.code()).isEqualTo(413);
    assertThat(sim.acceptedCount()).isEqualTo(1);
  }

  @Test
  void malformedBody_400ForTheWholeRequest() throws IOException {
    AepSimulator sim = start();
    assertThat(postBatch(sim, "{\"messages\":[{\"id\":1},").code()).isEqualTo(400);
    assertThat(postBatch(sim, "{\"records\":[]}").code()).isEqualTo(400);
    assertThat(postBatch(sim, "not json").code()).isEqualTo(400);
    assertThat(post(sim.inletUrl(), RequestBody.create("{\"a\":", JSON)).code()).isEqualTo(400);
    assertThat(sim.acceptedCount()).isZero();
  }

  @Test
  void gzipBodies() throws IOException {
    AepSimulator sim = start();
    Buffer compressed = new Buffer();
    try (var sink = Okio.buffer(new GzipSink(compressed))) {
      sink.writeUtf8(batchOf("{\"id\":\"z\"}"));
    }
    Answer a = post(sim.baseUrl() + "/collection/batch/inlet-1",
        RequestBody.create(compressed.readByteString(), JSON), "Content-Encoding", "gzip");

    assertThat(a.code()).isEqualTo(207);
    assertThat(sim.timesAccepted("z")).isEqualTo(1);
  }

  @Test
  void authenticatedInlet_401WithoutToken_403ForUnknownOrExpired() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().authenticatedInlet("inlet-1").oauthCredential("cid", "sec"));
    Answer missing = postBatch(sim, batchOf("{}"));
    assertThat(missing.code()).isEqualTo(401);
    assertThat(missing.json().path("type").asText())
        .isEqualTo("https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization");
    assertThat(missing.json().at("/report/message").asText()).contains("Ims service token is empty");
    assertThat(postBatch(sim, batchOf("{}"), "Authorization", "Bearer forged").code()).isEqualTo(403);

    String token = oauthToken(sim, "cid", "sec", "openid,AdobeID").json().path("access_token").asText();
    assertThat(postBatch(sim, batchOf("{}"), "Authorization", "Bearer " + token).code()).isEqualTo(207);
    sim.expireTokensNow();
    assertThat(postBatch(sim, batchOf("{}"), "Authorization", "Bearer " + token).code()).isEqualTo(403);
  }

  private Answer oauthToken(AepSimulator sim, String clientId, String secret, String scope) throws IOException {
    FormBody.Builder form = new FormBody.Builder().add("grant_type", "client_credentials").add("client_id", clientId)
        .add("client_secret", secret);
    if (scope != null) {
      form.add("scope", scope);
    }
    return post(sim.imsUrl() + "/ims/token/v3", form.build());
  }

  @Test
  void imsTokenV3_expiresInSeconds_andImsErrors() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().oauthCredential("cid", "s&c+r=t")
        .tokenLifetime(Duration.ofMinutes(10)));
    Answer ok = oauthToken(sim, "cid", "s&c+r=t", "openid,AdobeID,read_organizations");
    assertThat(ok.code()).isEqualTo(200);
    assertThat(ok.json().path("token_type").asText()).isEqualTo("bearer");
    assertThat(ok.json().path("expires_in").asLong()).isEqualTo(600);

    Answer wrongClient = oauthToken(sim, "other", "s&c+r=t", "openid");
    assertThat(wrongClient.code()).isEqualTo(400);
    assertThat(wrongClient.json().path("error").asText()).isEqualTo("invalid_client");
    Answer wrongSecret = oauthToken(sim, "cid", "wrong", "openid");
    assertThat(wrongSecret.code()).isEqualTo(401);
    assertThat(wrongSecret.json().path("error_description").asText()).isEqualTo("invalid client_secret parameter");
    Answer badScope = oauthToken(sim, "cid", "s&c+r=t", "openid,admin");
    assertThat(badScope.code()).isEqualTo(400);
    assertThat(badScope.json().path("error").asText()).isEqualTo("invalid_scope");
    assertThat(oauthToken(sim, "cid", "s&c+r=t", null).json().path("error").asText()).isEqualTo("invalid_scope");
    assertThat(sim.tokensIssued()).isEqualTo(1);
  }

  private String jwt(AepSimulator sim, KeyPair keys, String audience, Instant exp) throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("ORG@AdobeOrg").subject("TECH@techacct.adobe.com")
        .audience(audience).expirationTime(Date.from(exp))
        .claim(sim.imsUrl() + "/s/ent_dataservices_sdk", true).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    jwt.sign(new RSASSASigner(keys.getPrivate()));
    return jwt.serialize();
  }

  private Answer exchange(AepSimulator sim, String jwt) throws IOException {
    return post(sim.imsUrl() + "/ims/exchange/jwt", new FormBody.Builder().add("client_id", "cid")
        .add("client_secret", "sec").add("jwt_token", jwt).build());
  }

  @Test
  void imsJwtExchange_verifiesSignatureAndClaims_expiresInMilliseconds() throws Exception {
    AepSimulator sim = start(AepSimulator.builder()
        .jwtCredential("cid", "sec", "ORG@AdobeOrg", "TECH@techacct.adobe.com", jwtKeys.getPublic()));
    String audience = sim.imsUrl() + "/c/cid";
    Instant inAnHour = Instant.now().plus(Duration.ofHours(1));

    Answer ok = exchange(sim, jwt(sim, jwtKeys, audience, inAnHour));
    assertThat(ok.code()).isEqualTo(200);
    assertThat(ok.json().path("expires_in").asLong()).isEqualTo(Duration.ofHours(24).toMillis());

    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    Answer wrongKey = exchange(sim, jwt(sim, generator.generateKeyPair(), audience, inAnHour));
    assertThat(wrongKey.code()).isEqualTo(400);
    assertThat(wrongKey.json().path("error_description").asText()).contains("signature");
    assertThat(exchange(sim, jwt(sim, jwtKeys, "https://elsewhere/c/cid", inAnHour)).json()
        .path("error_description").asText()).contains("aud");
    assertThat(exchange(sim, jwt(sim, jwtKeys, audience, Instant.now().minusSeconds(5))).json()
        .path("error_description").asText()).contains("expired");
    assertThat(exchange(sim, jwt(sim, jwtKeys, audience, Instant.now().plus(Duration.ofHours(30)))).code())
        .isEqualTo(400);
  }

  @Test
  void imsOutage_503() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().oauthCredential("cid", "sec"));
    sim.imsOutage(Duration.ofMinutes(1));
    assertThat(oauthToken(sim, "cid", "sec", "openid").code()).isEqualTo(503);
  }

  @Test
  void requiredHeaders_400WhenAbsent() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().requireOrgId("ORG@AdobeOrg").requireSandbox("prod")
        .requireFlowId("flow-1"));
    assertThat(postBatch(sim, batchOf("{}")).json().path("message").asText()).contains("x-gw-ims-org-id");
    assertThat(postBatch(sim, batchOf("{}"), "x-gw-ims-org-id", "ORG@AdobeOrg").code()).isEqualTo(400);
    assertThat(postBatch(sim, batchOf("{}"), "x-gw-ims-org-id", "ORG@AdobeOrg", "x-sandbox-name", "prod",
        "x-adobe-flow-id", "flow-1").code()).isEqualTo(207);
    assertThat(sim.requests().get(2).header("X-Sandbox-Name")).isEqualTo("prod");
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504})
  void fault_serverErrors(int status) throws IOException {
    AepSimulator sim = start();
    sim.enqueueFaults(Fault.status(status));
    assertThat(postBatch(sim, batchOf("{\"id\":\"1\"}")).code()).isEqualTo(status);
    assertThat(postBatch(sim, batchOf("{\"id\":\"1\"}")).code()).isEqualTo(207);
    assertThat(sim.timesAccepted("1")).isEqualTo(1);
    assertThat(sim.requestsByStatus()).containsEntry(status, 1L).containsEntry(207, 1L);
  }

  @Test
  void fault_429WithRetryAfterInSecondsOrAsADate() throws IOException {
    AepSimulator sim = start();
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(5).atOffset(ZoneOffset.UTC));
    sim.enqueueFaults(Fault.throttle(2), Fault.status(429).withRetryAfter(date));

    Answer seconds = postBatch(sim, batchOf("{}"));
    assertThat(seconds.code()).isEqualTo(429);
    assertThat(seconds.retryAfter()).isEqualTo("2");
    assertThat(postBatch(sim, batchOf("{}")).retryAfter()).isEqualTo(date);
  }

  @Test
  void fault_delay() throws IOException {
    AepSimulator sim = start();
    sim.enqueueFaults(Fault.delay(Duration.ofMillis(300)));
    long before = System.nanoTime();
    assertThat(postBatch(sim, batchOf("{}")).code()).isEqualTo(207);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void fault_droppedConnection() {
    AepSimulator sim = start();
    sim.enqueueFaults(Fault.dropConnection());
    assertThatThrownBy(() -> postBatch(sim, batchOf("{\"id\":\"1\"}"))).isInstanceOf(IOException.class);
    assertThat(sim.timesAccepted("1")).isZero();
    assertThat(sim.requestsByStatus()).containsEntry(0, 1L);
  }

  @Test
  void fault_missingResponses_acceptsButAnswersWithoutEntries() throws IOException {
    AepSimulator sim = start();
    sim.enqueueFaults(Fault.missingResponses());
    Answer a = postBatch(sim, batchOf("{\"id\":\"1\"}"));
    assertThat(a.code()).isEqualTo(207);
    assertThat(a.json().has("responses")).isFalse();
    assertThat(sim.timesAccepted("1")).isEqualTo(1);
  }

  @Test
  void fault_expireTokens() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().authenticatedInlet("inlet-1").oauthCredential("cid", "sec"));
    String token = oauthToken(sim, "cid", "sec", "openid").json().path("access_token").asText();
    sim.enqueueFaults(Fault.expireTokens());
    assertThat(postBatch(sim, batchOf("{}"), "Authorization", "Bearer " + token).code()).isEqualTo(403);
  }

  @Test
  void randomFaults_areRepeatableWithASeed() throws IOException {
    Map<Fault, Double> mix = new LinkedHashMap<>();
    mix.put(Fault.status(503), 0.2);
    mix.put(Fault.throttle(1), 0.1);
    List<List<Integer>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      AepSimulator sim = start();
      sim.randomFaults(42, mix);
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        codes.add(postBatch(sim, batchOf("{}")).code());
      }
      runs.add(codes);
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1)).contains(503, 429, 207);
    assertThatThrownBy(() -> start().randomFaults(1, Map.of(Fault.status(500), 0.7, Fault.status(503), 0.7)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void duplicatesAreCountedPerId() throws IOException {
    AepSimulator sim = start();
    postBatch(sim, batchOf("{\"id\":\"1\"}", "{\"id\":\"2\"}"));
    postBatch(sim, batchOf("{\"id\":\"1\"}"));
    assertThat(sim.acceptedIds()).containsExactlyInAnyOrderEntriesOf(Map.of("1", 2, "2", 1));
    assertThat(sim.duplicates()).isEqualTo(1);
  }

  @Test
  void countingMode_findsTheSameMessages() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().countingMode(true));
    Answer a = postBatch(sim, batchOf("{\"s\":\"a]}\\\"{\"}", "{\"n\":[1,{\"x\":[]}]}", "{}"));
    assertThat(a.json().path("responses")).hasSize(3);
    assertThat(sim.acceptedCount()).isEqualTo(3);
  }

  @Test
  void syncValidation_501WhereUnsupported() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().syncValidationSupported(false));
    assertThat(post(sim.inletUrl() + "?syncValidation=true", RequestBody.create("{}", JSON)).code()).isEqualTo(501);
  }

  @Test
  void https_withItsTrustMaterial_andRefusedByDefaultTrust() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().https(true));
    assertThat(sim.baseUrl()).startsWith("https://127.0.0.1:");
    OkHttpClient trusting = http.newBuilder()
        .sslSocketFactory(sim.clientSslContext().getSocketFactory(), sim.trustManager()).build();
    try (Response r = trusting.newCall(new Request.Builder().url(sim.inletUrl())
        .post(RequestBody.create("{}", JSON)).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThatThrownBy(() -> post(sim.inletUrl(), RequestBody.create("{}", JSON)))
        .isInstanceOf(SSLHandshakeException.class);
    assertThat(sim.certificate().getSubjectX500Principal().getName()).contains("CN=localhost");
  }

  @Test
  void builderRefusesBadSettings() {
    assertThatThrownBy(() -> AepSimulator.builder().threads(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AepSimulator.builder().idPointer("id")).hasMessageContaining("JSON pointer");
    assertThatThrownBy(() -> Fault.status(200)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> start().certificate()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("https(true)");
    assertThat(Fault.throttle(1)).isEqualTo(Fault.throttle(1)).hasSameHashCodeAs(Fault.throttle(1));
  }
}
