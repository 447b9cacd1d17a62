package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.aepclient.support.Futures.failure;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every row of AEP-PROTOCOL.md §2: what the client does with each DCS answer. */
class StatusHandlingTest extends WireMockTest {

  private List<CompletableFuture<Delivery>> sendAll(AepStreamingClient client, List<AepMessage> messages) {
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (AepMessage m : messages) {
      futures.add(client.send(m));
    }
    client.flush();
    return futures;
  }

  private void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  /** The first answer is {@code first}, every later one the batch answerer's. */
  private void firstThenAnswer(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first) {
    String scenario = java.util.UUID.randomUUID().toString(); // scenario state outlives a test's stubs
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).inScenario(scenario).whenScenarioStateIs(STARTED)
        .willReturn(first).willSetStateTo("answer"));
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).inScenario(scenario).whenScenarioStateIs("answer")
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  @Test
  void status207_settlesEachMessageFromItsEntry() {
    answerBatches();
    AepStreamingClient client = build(builder());
    var futures = sendAll(client, List.of(message(1), badMessage(2), message(3)));

    assertThat(value(futures.get(0)).xactionId()).startsWith("x-");
    assertThat(value(futures.get(0)).batchId()).startsWith("batch-");
    AepRejectedException rejected = (AepRejectedException) failure(futures.get(1));
    assertThat(rejected.statusCode()).isEqualTo(400);
    assertThat(rejected.reason()).isEqualTo("XDM header missing");
    assertThat(value(futures.get(2)).xactionId()).startsWith("x-");
    assertThat(ANSWERER.accepted()).containsOnlyKeys("1", "3");
    assertThat(client.metrics().messagesDelivered()).isEqualTo(2);
    assertThat(client.metrics().messagesRejected()).isEqualTo(1);
  }

  @Test
  void status207_acceptsTheConnectorsStatusFieldName() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(207).withBody(
        "{\"inletId\":\"i\",\"batchId\":\"b\",\"receivedTimeMs\":1,"
            + "\"responses\":[{\"xactionId\":\"uuid-1\"},{\"status\":422,\"message\":\"bad schema\"}]}")));
    AepStreamingClient client = build(builder().linger(Duration.ofSeconds(5))); // one batch, whatever the load
    var futures = sendAll(client, List.of(message(1), message(2)));

    assertThat(value(futures.get(0))).isEqualTo(new Delivery("uuid-1", "i", "b", 1));
    assertThat(((AepRejectedException) failure(futures.get(1))).statusCode()).isEqualTo(422);
  }

  @Test
  void status207_withoutResponses_isRetriedNeverTakenAsSuccess() {
    firstThenAnswer(aResponse().withStatus(207).withBody("{\"inletId\":\"i\",\"batchId\":\"b\"}"));
    AepStreamingClient client = build(builder().linger(Duration.ofSeconds(5))); // one batch, whatever the load
    var futures = sendAll(client, List.of(message(1), message(2)));

    assertThat(value(futures.get(0)).xactionId()).startsWith("x-");
    assertThat(value(futures.get(1)).xactionId()).startsWith("x-");
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
    assertThat(client.metrics().retriedRequests()).isEqualTo(1);
  }

  @Test
  void status207_withResponsesOfTheWrongLength_isRetried() {
    firstThenAnswer(aResponse().withStatus(207).withBody("{\"responses\":[{\"xactionId\":\"only-one\"}]}"));
    // Both messages in one batch whatever the machine's load (5 ms linger split them once): sendAll flushes.
    AepStreamingClient client = build(builder().linger(Duration.ofSeconds(5)));
    var futures = sendAll(client, List.of(message(1), message(2)));

    assertThat(value(futures.get(0)).xactionId()).isNotEqualTo("only-one");
    assertThat(value(futures.get(1)).xactionId()).startsWith("x-");
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void status400_onAWholeBatch_isBisectedToRejectOnlyTheBadMessages() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withTransformerParameter("wholeRequest400", true)));
    AepStreamingClient client = build(builder().maxBatchRecords(16).linger(Duration.ofSeconds(5)));
    List<AepMessage> messages = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      messages.add(i == 3 || i == 12 ? badMessage(i) : message(i));
    }
    var futures = sendAll(client, messages);

    for (int i = 0; i < 16; i++) {
      if (i == 3 || i == 12) {
        AepRejectedException e = (AepRejectedException) failure(futures.get(i));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.reason()).isEqualTo("malformed message");
      } else {
        assertThat(value(futures.get(i)).xactionId()).startsWith("x-");
      }
    }
    assertThat(ANSWERER.accepted()).hasSize(14).allSatisfy((id, count) -> assertThat(count.get()).isEqualTo(1));
    // 16 -> 8+8 -> (4+4)+(4+4) -> ... : each bad message costs one request per level, far fewer than 16 singles.
    assertThat(wm.getAllServeEvents()).hasSizeLessThan(16);
  }

  @Test
  void status400_onASingleMessage_rejectsIt() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withStatus(400).withBody("{\"message\":\"bad envelope\"}")));
    AepStreamingClient client = build(builder());
    AepRejectedException e = (AepRejectedException) failure(client.send(message(1)));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.reason()).isEqualTo("bad envelope");
    wm.verify(exactly(1), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void status401or403_fetchesAFreshTokenAndRetriesOnce(int status) {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).withHeader("Authorization", equalTo("Bearer token-1"))
        .willReturn(aResponse().withStatus(status)));
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).withHeader("Authorization", equalTo("Bearer token-2"))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    AtomicInteger fetched = new AtomicInteger();
    AepStreamingClient client = build(builder().auth(AepAuth.provider(
        () -> new AccessToken("token-" + fetched.incrementAndGet(), Instant.now().plusSeconds(3600)))));

    assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
    assertThat(fetched).hasValue(2);
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void status401or403_twiceInARowWithAFreshToken_isAHardFailure(int status) {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(status)));
    AtomicInteger fetched = new AtomicInteger();
    AepStreamingClient client = build(builder().auth(AepAuth.provider(
        () -> new AccessToken("token-" + fetched.incrementAndGet(), Instant.now().plusSeconds(3600)))));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
    assertThat(e.lastStatusCode()).hasValue(status);
    assertThat(e.getMessage()).contains("freshly fetched access token");
    assertThat(fetched).hasValue(2);
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void status401_withAFixedToken_failsAtOnce() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(401)));
    AepStreamingClient client = build(builder().auth(AepAuth.token("fixed-token")));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
    assertThat(e.getMessage()).contains("cannot be refreshed").doesNotContain("fixed-token");
    wm.verify(exactly(1), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void status413_splitsTheBatchUntilItFits() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withTransformerParameter("maxBody", 2000)));
    AepStreamingClient client = build(builder().maxBatchRecords(64).linger(Duration.ofSeconds(5)));
    List<AepMessage> messages = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      messages.add(AepMessage.of("{\"id\":\"" + i + "\",\"pad\":\"" + "x".repeat(100) + "\"}"));
    }
    var futures = sendAll(client, messages);

    futures.forEach(f -> assertThat(value(f).xactionId()).startsWith("x-"));
    assertThat(ANSWERER.accepted()).hasSize(64);
    assertThat(wm.getAllServeEvents()).anySatisfy(e -> assertThat(e.getResponse().getStatus()).isEqualTo(413));
  }

  @Test
  void status429_honoursRetryAfterSeconds_andPausesEveryRequestOfTheClient() {
    firstThenAnswer(aResponse().withStatus(429).withHeader("Retry-After", "1"));
    AepStreamingClient client = build(builder().maxBatchRecords(1).maxInFlightRequests(4));
    CompletableFuture<Delivery> first = client.send(message(1));
    // Wait until the 429 has been served, then send more: they must wait out the same pause.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> client.metrics().throttledRequests() == 1);
    List<CompletableFuture<Delivery>> later = List.of(client.send(message(2)), client.send(message(3)));

    value(first);
    later.forEach(f -> value(f));
    List<LoggedRequest> requests = requestsInOrder();
    Instant throttledAt = requests.get(0).getLoggedDate().toInstant();
    for (LoggedRequest r : requests.subList(1, requests.size())) {
      assertThat(Duration.between(throttledAt, r.getLoggedDate().toInstant())).isGreaterThanOrEqualTo(
          Duration.ofMillis(900));
    }
    assertThat(requests).hasSize(4);
  }

  @Test
  void status429_honoursRetryAfterAsAnHttpDate() {
    String in2s = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(2).atOffset(ZoneOffset.UTC));
    firstThenAnswer(aResponse().withStatus(429).withHeader("Retry-After", in2s));
    AepStreamingClient client = build(builder());

    value(client.send(message(1)));
    List<LoggedRequest> requests = requestsInOrder();
    assertThat(requests).hasSize(2);
    // The date has one-second resolution: at least 1 s must pass.
    assertThat(Duration.between(requests.get(0).getLoggedDate().toInstant(),
        requests.get(1).getLoggedDate().toInstant())).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504})
  void status5xx_isRetriedWithBackoff(int status) {
    firstThenAnswer(aResponse().withStatus(status));
    AepStreamingClient client = build(builder());

    assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
    assertThat(client.metrics().retriedRequests()).isEqualTo(1);
  }

  @Test
  void connectionReset_isRetried() {
    firstThenAnswer(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    AepStreamingClient client = build(builder());

    assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
    assertThat(ANSWERER.accepted()).containsKey("1");
  }

  @Test
  void timeout_isRetried() {
    firstThenAnswer(aResponse().withStatus(207).withFixedDelay(3000));
    AepStreamingClient client = build(builder().requestTimeout(Duration.ofMillis(300)));

    assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void status503_pastTheDeliveryTimeout_failsWithTheLastStatus() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(503)));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(1)));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    assertThat(e.lastStatusCode()).hasValue(503);
    assertThat(client.metrics().retriedRequests()).isGreaterThanOrEqualTo(2);
    assertThat(client.metrics().messagesFailed()).isEqualTo(1);
  }

  @Test
  void status501_isAHardFailure() {
    wm.stubFor(post(urlPathEqualTo(INLET_PATH)).willReturn(aResponse().withStatus(501)));
    AepStreamingClient client = build(builder().syncValidation(true));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
    assertThat(e.lastStatusCode()).hasValue(501);
    assertThat(e.getMessage()).contains("synchronous validation");
    wm.verify(exactly(1), postRequestedFor(urlPathEqualTo(INLET_PATH)).withQueryParam("syncValidation",
        equalTo("true")));
  }

  @Test
  void syncValidation_sendsEachMessageAloneToTheSingleEndpoint() {
    wm.stubFor(post(urlPathEqualTo(INLET_PATH)).willReturn(aResponse().withStatus(200)
        .withBody("{\"inletId\":\"inlet-1\",\"xactionId\":\"x-single\",\"receivedTimeMs\":5}")));
    AepStreamingClient client = build(builder().syncValidation(true));
    var futures = sendAll(client, List.of(message(1), message(2)));

    assertThat(value(futures.get(0))).isEqualTo(new Delivery("x-single", "inlet-1", "", 5));
    value(futures.get(1));
    assertThat(wm.findAll(postRequestedFor(urlPathEqualTo(INLET_PATH)))).map(LoggedRequest::getBodyAsString)
        .containsExactlyInAnyOrder(message(1).json(), message(2).json());
  }

  @Test
  void status404_unknownInlet_isAHardFailureNamingTheSetting() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(404)));
    AepStreamingClient client = build(builder());

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
    assertThat(e.getMessage()).contains("inlet not found").contains("aep.inlet.url");
    wm.verify(exactly(1), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  private List<LoggedRequest> requestsInOrder() {
    List<LoggedRequest> requests = new ArrayList<>(wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))));
    requests.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
    return requests;
  }
}
