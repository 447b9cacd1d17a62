package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.aepclient.support.Futures.failure;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9's defects 1, 2, 3, 8 and the 207/redirect/buffer items of 9: settings, answers and timings that used
 * to break the client's promises.
 */
class HardeningTest extends WireMockTest {

  private void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  /** The first answer is {@code first}, every later one the batch answerer's. */
  private void firstThenAnswer(ResponseDefinitionBuilder first) {
    String scenario = UUID.randomUUID().toString();
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).inScenario(scenario).whenScenarioStateIs(STARTED)
        .willReturn(first).willSetStateTo("answer"));
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).inScenario(scenario).whenScenarioStateIs("answer")
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  private int batchRequests() {
    return wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))).size();
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  // 1. Legal back-off settings never fail a send without a request.

  @Test
  void backoff_equalInitialAndMax_isAFixedDelay_andRetries() {
    firstThenAnswer(aResponse().withStatus(503));
    AepStreamingClient client = build(builder().retryBackoff(Duration.ofMillis(200), Duration.ofMillis(200)));

    assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void backoff_initialCloseToTheDeliveryTimeout_stillSends() {
    answerBatches();
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(1))
        .requestTimeout(Duration.ofMillis(500)).retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5)));

    assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
  }

  @Test
  void backoff_fromTheConnectorProperty_15000ms_isUsable() {
    answerBatches();
    Properties p = new Properties();
    p.setProperty("aep.inlet.url", wm.baseUrl() + INLET_PATH);
    p.setProperty("aep.connection.retryBackoff", "15000"); // gives initial = max = 15 s
    p.setProperty("aep.linger.ms", "5");
    AepStreamingClient client = AepStreamingClient.fromProperties(p);
    try {
      assertThat(value(client.send(message(1))).xactionId()).startsWith("x-");
    } finally {
      client.close(Duration.ofSeconds(2));
    }
  }

  @Test
  void backoff_initialAboveMax_isRefusedByTheBuilderNamingTheSettings() {
    assertThatThrownBy(() -> builder().retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aep.retry.backoff.ms").hasMessageContaining("aep.retry.backoff.max.ms");
  }

  // 2. A server's Retry-After can lengthen the wait, never remove the back-off.

  @ParameterizedTest
  @ValueSource(strings = {"0", "past-date"})
  void retryAfterZeroOrInThePast_neverRetriesFasterThanTheBackoff(String retryAfter) {
    String header = retryAfter.equals("0") ? "0"
        : DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().minusSeconds(60).atOffset(ZoneOffset.UTC));
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(503)
        .withHeader("Retry-After", header)));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofMillis(1500))
        .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(150)));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    // 1.5 s at one request per >= 75 ms (100 ms - 25% jitter): at most 21 (the old client made hundreds).
    List<LoggedRequest> requests = new ArrayList<>(wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))));
    requests.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
    assertThat(requests.size()).as(() -> requests.stream().map(r -> r.getLoggedDate().toInstant().toString())
        .toList().toString()).isBetween(2, 21);
  }

  // 3. The delivery timeout is an upper bound.

  @Test
  void deliveryTimeout_boundsARetryAfterLongerThanIt() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "20")));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(2)));
    long before = System.nanoTime();
    CompletableFuture<Delivery> f = client.send(message(1));

    AepDeliveryException e = (AepDeliveryException) failure(f);
    assertThat(since(before)).isLessThan(Duration.ofMillis(2300));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    assertThat(e.lastStatusCode()).hasValue(429);
    wm.verify(exactly(1), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void deliveryTimeout_boundsATokenFetchThatNeverReturns() throws Exception {
    answerBatches();
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(1)).auth(AepAuth.provider(() -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("released");
    })));
    try {
      long before = System.nanoTime();
      AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
      assertThat(since(before)).isLessThan(Duration.ofMillis(1300));
      assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
      assertThat(e.getMessage()).contains("access token");
    } finally {
      never.countDown();
    }
  }

  @Test
  void deliveryTimeout_cutsTheLastAttemptToTheTimeLeft() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)
        .withFixedDelay(5_000)));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(1))
        .requestTimeout(Duration.ofMillis(700)));
    long before = System.nanoTime();

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(since(before)).isLessThan(Duration.ofMillis(1300));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
  }

  @Test
  void deliveryTimeout_shorterThanLingerPlusRequestTimeout_isRefusedByTheBuilder() {
    assertThatThrownBy(() -> builder().deliveryTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(2))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deliveryTimeout (aep.delivery.timeout.ms)")
        .hasMessageContaining("linger (aep.linger.ms)").hasMessageContaining("requestTimeout (aep.request.timeout.ms)");
  }

  // 8. A whole-request 400 that is about the request fails the batch as refused, in few requests.

  @Test
  void status400_refusingTheRequestItself_failsTheBatchAsRefused_inLogarithmicRequests() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withStatus(400).withBody("{\"message\":\"unknown sandbox\"}")));
    AepStreamingClient client = build(builder().maxBatchRecords(64).linger(Duration.ofSeconds(5)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      futures.add(client.send(message(i)));
    }
    client.flush();

    for (CompletableFuture<Delivery> f : futures) {
      AepDeliveryException e = (AepDeliveryException) failure(f);
      assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
      assertThat(e.getMessage()).contains("unknown sandbox");
      assertThat(e.lastStatusCode()).hasValue(400);
    }
    // log2(64) = 6: the first request, 6 levels down to one message, its sibling, a probe from the other end.
    assertThat(batchRequests()).isLessThanOrEqualTo(6 + 4);
  }

  @Test
  void status400_onATwoMessageBatchRefusedAsAWhole_isRequestLevel() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withStatus(400).withBody("{\"message\":\"gzip not supported\"}")));
    AepStreamingClient client = build(builder().maxBatchRecords(2).linger(Duration.ofSeconds(5)));
    CompletableFuture<Delivery> a = client.send(message(1));
    CompletableFuture<Delivery> b = client.send(message(2));

    assertThat(((AepDeliveryException) failure(a)).reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
    assertThat(((AepDeliveryException) failure(b)).reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
    assertThat(batchRequests()).isEqualTo(3);
  }

  @Test
  void status400_onEverySplit_isCappedByTheBisectionBudget_notTwoNMinusOneRequests() {
    // Every request is refused, each with its own text (its first message's id): never request-level, and a full
    // split would take 2 * 64 - 1 = 127 requests.
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(400)
        .withBody("{\"message\":\"bad {{jsonPath request.body '$.messages[0].id'}}\"}")
        .withTransformers("response-template")));
    AepStreamingClient client = build(builder().maxBatchRecords(64).linger(Duration.ofSeconds(5)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      futures.add(client.send(message(i)));
    }
    client.flush();

    for (CompletableFuture<Delivery> f : futures) {
      Throwable e = failure(f);
      assertThat(e).isInstanceOfAny(AepRejectedException.class, AepDeliveryException.class);
      if (e instanceof AepDeliveryException d) {
        assertThat(d.reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
        assertThat(d.getMessage()).contains("took more than 28 requests");
      }
    }
    assertThat(batchRequests()).isLessThanOrEqualTo(1 + 28);
  }

  @Test
  void status400_withTheFirstMessageBad_stillRejectsOnlyIt() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withTransformerParameter("wholeRequest400", true)));
    AepStreamingClient client = build(builder().maxBatchRecords(32).linger(Duration.ofSeconds(5)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      futures.add(client.send(i == 0 ? badMessage(i) : message(i)));
    }
    client.flush();

    assertThat(failure(futures.get(0))).isInstanceOf(AepRejectedException.class);
    for (CompletableFuture<Delivery> f : futures.subList(1, 32)) {
      assertThat(value(f).xactionId()).startsWith("x-");
    }
    assertThat(batchRequests()).isLessThanOrEqualTo(4 * 5 + 4);
  }

  // 9. Per-entry transient statuses, redirects, a buffer the size of one request.

  @Test
  void status207_perEntry503And429_resendsOnlyThoseEntries() {
    firstThenAnswer(aResponse().withStatus(207).withBody("{\"inletId\":\"i\",\"batchId\":\"b\",\"receivedTimeMs\":1,"
        + "\"responses\":[{\"xactionId\":\"first\"},{\"statusCode\":503,\"message\":\"busy\"},"
        + "{\"statusCode\":429,\"message\":\"slow down\"}]}"));
    AepStreamingClient client = build(builder().maxBatchRecords(3).linger(Duration.ofSeconds(5)));
    List<CompletableFuture<Delivery>> futures = List.of(client.send(message(1)), client.send(message(2)),
        client.send(message(3)));

    assertThat(value(futures.get(0)).xactionId()).isEqualTo("first");
    assertThat(value(futures.get(1)).xactionId()).startsWith("x-");
    assertThat(value(futures.get(2)).xactionId()).startsWith("x-");
    List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH)));
    assertThat(requests).hasSize(2);
    assertThat(ANSWERER.accepted()).containsOnlyKeys("2", "3"); // message 1 was never sent again
  }

  @Test
  void redirect_isRefusedNamingTheLocation_andNotFollowed() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(302)
        .withHeader("Location", wm.baseUrl() + "/elsewhere")));
    AepStreamingClient client = build(builder());

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
    assertThat(e.lastStatusCode()).hasValue(302);
    assertThat(e.getMessage()).contains("redirect").contains(wm.baseUrl() + "/elsewhere");
    wm.verify(exactly(0), anyRequestedFor(urlPathEqualTo("/elsewhere")));
  }

  @Test
  void bufferTheSizeOfOneRequest_takesAMessageOfTheLargestLegalSize() {
    answerBatches();
    AepStreamingClient client = build(builder().maxRequestBytes(10_000).maxBatchBytes(10_000)
        .maxBufferedBytes(10_000));
    String json = "{\"id\":\"1\",\"p\":\"" + "x".repeat(10_000 - "{\"messages\":[]}".length() - 17) + "\"}";
    AepMessage largest = AepMessage.of(json);
    assertThat(largest.sizeInBytes()).isEqualTo(10_000 - "{\"messages\":[]}".length());

    var sent = client.trySend(largest);
    assertThat(sent).isPresent();
    assertThat(value(sent.get()).xactionId()).startsWith("x-");
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  // 9. Shared 429 pauses: one step per burst, resumption spread out.

  @Test
  void simultaneous429s_raiseTheBackoffOneStep_notOneStepEach() {
    for (int i = 0; i < 8; i++) {
      String scenario = UUID.randomUUID().toString();
      wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).withRequestBody(containing("\"id\":\"" + i + "\""))
          .inScenario(scenario).whenScenarioStateIs(STARTED)
          .willReturn(aResponse().withStatus(429).withFixedDelay(300)).willSetStateTo("answer"));
      wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).withRequestBody(containing("\"id\":\"" + i + "\""))
          .inScenario(scenario).whenScenarioStateIs("answer")
          .willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    }
    AepStreamingClient client = build(builder().maxBatchRecords(1).maxInFlightRequests(8).adaptiveConcurrency(false)
        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(10)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    long before = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      futures.add(client.send(message(i)));
    }

    futures.forEach(f -> assertThat(value(f).xactionId()).startsWith("x-"));
    assertThat(client.metrics().throttledRequests()).isEqualTo(8);
    // One step: about 200 ms after the burst (8 steps would have been 10 s).
    assertThat(since(before)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void requestsWaitingOutASharedPause_resumeSpreadOut_notAtTheSameInstant() {
    firstThenAnswer(aResponse().withStatus(429).withHeader("Retry-After", "1"));
    // Eight fixed slots: all seven wait out the same pause (an adaptive limit would halve to two on the 429).
    AepStreamingClient client = build(builder().maxBatchRecords(1).maxInFlightRequests(8).adaptiveConcurrency(false));
    CompletableFuture<Delivery> first = client.send(message(100));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> client.metrics().throttledRequests() == 1);
    List<CompletableFuture<Delivery>> waiting = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      waiting.add(client.send(message(i)));
    }

    value(first);
    waiting.forEach(f -> value(f));
    List<LoggedRequest> requests = new ArrayList<>(wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))));
    requests.removeIf(r -> r.getBodyAsString().contains("\"id\":\"100\""));
    List<Instant> at = requests.stream().map(r -> r.getLoggedDate().toInstant()).sorted().toList();
    assertThat(at).hasSize(7);
    // Spread over a quarter of the pause (250 ms); all seven within 40 ms of each other is ~1e-5 likely.
    assertThat(Duration.between(at.get(0), at.get(6))).isGreaterThan(Duration.ofMillis(40));
  }
}
