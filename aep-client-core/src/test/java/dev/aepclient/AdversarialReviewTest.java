package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.aepclient.support.Futures.failure;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A reviewer's hostile cases against issue 9's fixes: each test is a promise that one of them tried to break. */
class AdversarialReviewTest extends WireMockTest {

  private void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  private static void awaitAll(List<CompletableFuture<Delivery>> futures, Duration within) {
    await().atMost(within).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
  }

  /**
   * With a rate limit, attempts that could not get a permit before their deadline must not keep the permit: the
   * old code reserved one per refused attempt, pushing the limiter's schedule minutes ahead, so after a burst an
   * idle client failed every message without sending a request.
   */
  @Test
  void rateLimit_afterAnOverloadBurst_anIdleClientStillDelivers() {
    answerBatches();
    AepStreamingClient client = build(builder().maxRequestsPerSecond(2).maxInFlightRequests(64).maxBatchRecords(1)
        .linger(Duration.ZERO).deliveryTimeout(Duration.ofMillis(1500)));
    List<CompletableFuture<Delivery>> burst = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      burst.add(client.send(message(i)));
    }
    awaitAll(burst, Duration.ofSeconds(5));
    // The limiter allows ~2/s, so the burst got a few requests at most; the rest timed out without one.
    await().atMost(Duration.ofSeconds(5)).until(() -> client.metrics().inFlightRequests() == 0);

    long started = System.nanoTime();
    Delivery d = value(client.send(message(1000)));
    assertThat(d.xactionId()).startsWith("x-");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
    assertThat(client.metrics().bufferedBytes()).isZero();

    // And the limit held: no two requests closer than the smooth limiter's 500 ms spacing (minus clock slack).
    List<LoggedRequest> requests = new ArrayList<>(wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))));
    requests.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
    for (int i = 1; i < requests.size(); i++) {
      long gap = Duration.between(requests.get(i - 1).getLoggedDate().toInstant(),
          requests.get(i).getLoggedDate().toInstant()).toMillis();
      assertThat(gap).as("gap before request %d", i).isGreaterThanOrEqualTo(400);
    }
  }

  /**
   * Batches whose deadline passed while they queued settle synchronously when dispatched: the chain
   * finished -> drain -> dispatch -> finished must not recurse once per queued batch (a StackOverflowError in
   * the middle of a drain would strand the batches it had taken from the queue).
   */
  @Test
  void manyQueuedBatchesExpiringAtOnce_allSettle_andTheBudgetReturnsToZero() throws Exception {
    answerBatches();
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    AepStreamingClient client = build(builder().maxInFlightRequests(1).maxBatchRecords(1).linger(Duration.ZERO)
        .deliveryTimeout(Duration.ofSeconds(1)).maxBufferedBytes(64L << 20)
        .deliveryListener(new DeliveryListener() {
          @Override
          public void onDelivered(AepMessage message, Delivery delivery) {
            slowOnce();
          }

          @Override
          public void onFailed(AepMessage message, AepDeliveryException failure) {
            slowOnce();
          }

          private void slowOnce() {
            if (first.compareAndSet(true, false)) {
              try {
                release.await(20, TimeUnit.SECONDS); // a listener slow once (a GC pause, a blocking log appender)
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        }));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    futures.add(client.send(message(0)));
    await().atMost(Duration.ofSeconds(10)).until(() -> !first.get());
    long queuedAt = System.nanoTime();
    for (int i = 1; i <= 30_000; i++) {
      futures.add(client.send(message(i)));
    }
    // Every queued message's deadline passes while the one slot is held by the slow listener.
    await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - queuedAt > TimeUnit.MILLISECONDS
        .toNanos(1500));
    release.countDown();

    awaitAll(futures, Duration.ofSeconds(20));
    assertThat(futures.get(0)).isCompleted();
    long failed = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    assertThat(failed).isGreaterThan(29_000);
    await().atMost(Duration.ofSeconds(5)).until(() -> client.metrics().bufferedBytes() == 0);
  }

  private static Set<String> clientThreads(String clientName) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("aep-client-" + clientName)).collect(Collectors.toSet());
  }

  /** close(timeout) while AEP stalls in the middle of its answer: returns within its bound, leaves nothing. */
  @Test
  void closeWithTimeout_whileTheAnswerStallsMidBody_returnsInTime_stopsThreads_andFreesTheBudget() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(200)
        .withBody("{\"inletId\":\"i\",\"batchId\":\"b\",\"receivedTimeMs\":1,\"padding\":\""
            + "x".repeat(20_000) + "\"}").withChunkedDribbleDelay(50, 20_000)));
    AepStreamingClient client = build(builder().clientName("stall").maxBatchRecords(2).maxInFlightRequests(2));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(client.send(message(i)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 2);

    long started = System.nanoTime();
    client.close(Duration.ofMillis(300));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2300));
    for (CompletableFuture<Delivery> f : futures) {
      assertThat(f).isDone();
      assertThat(((AepDeliveryException) failure(f)).reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    }
    assertThat(client.metrics().bufferedBytes()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> clientThreads("stall").isEmpty());
  }

  /**
   * Callbacks that call back in, on a small BLOCK buffer: a completion callback sends the next message, a
   * listener trySends, another thread flushes. Nothing hangs, every future completes once, nothing is lost.
   */
  @Test
  void callbacksThatSendAndTrySend_onASmallBlockingBuffer_neitherHangNorLose() throws Exception {
    answerBatches();
    Set<String> listenerSent = ConcurrentHashMap.newKeySet();
    AtomicInteger refusedInCallbacks = new AtomicInteger();
    List<CompletableFuture<Delivery>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    AepStreamingClient[] holder = new AepStreamingClient[1];
    AepStreamingClient client = build(builder().clientName("reentrant").maxBufferedBytes(4096).maxRequestBytes(2048)
        .maxBatchBytes(2048).maxBatchRecords(5).whenBufferFull(BufferFullPolicy.BLOCK)
        .maxBlock(Duration.ofSeconds(10)).deliveryListener(new DeliveryListener() {
          @Override
          public void onDelivered(AepMessage message, Delivery delivery) {
            if (message.json().contains("\"chain-")) {
              String id = "l" + message.json().hashCode();
              holder[0].trySend(message(id.hashCode())).ifPresentOrElse(f -> {
                listenerSent.add(id);
                all.add(f);
              }, refusedInCallbacks::incrementAndGet);
            }
          }
        }));
    holder[0] = client;
    AtomicInteger chained = new AtomicInteger();
    CompletableFuture<Void> chainEnd = new CompletableFuture<>();
    java.util.function.Consumer<Integer>[] next = new java.util.function.Consumer[1];
    next[0] = n -> {
      CompletableFuture<Delivery> f = client.send(AepMessage.of("{\"id\":\"chain-" + n + "\"}"));
      all.add(f);
      var unused = f.whenComplete((d, e) -> {
        if (e instanceof AepBufferFullException) {
          refusedInCallbacks.incrementAndGet();
        }
        if (chained.incrementAndGet() < 100) {
          next[0].accept(n + 1);
        } else {
          chainEnd.complete(null);
        }
      });
    };
    next[0].accept(0);
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 300; i++) {
        all.add(client.send(message(10_000 + i)));
      }
    });
    producer.start();
    for (int i = 0; i < 20; i++) {
      assertThat(client.flush(Duration.ofSeconds(20))).isTrue();
    }
    producer.join(30_000);
    assertThat(producer.isAlive()).isFalse();
    chainEnd.get(30, TimeUnit.SECONDS);
    assertThat(client.flush(Duration.ofSeconds(20))).isTrue();
    awaitAll(all, Duration.ofSeconds(20));
    // Every message not refused at send was delivered.
    long delivered = all.stream().filter(f -> !f.isCompletedExceptionally()).count();
    long refused = all.stream().filter(CompletableFuture::isCompletedExceptionally)
        .filter(f -> failure(f) instanceof AepBufferFullException).count();
    assertThat(delivered + refused).isEqualTo(all.size());
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  /** A completion callback that blocks holds its I/O thread; flush(timeout) on another thread still keeps its bound. */
  @Test
  void flushWithTimeout_whileACallbackBlocks_keepsItsBound_andFlushReturnsOnceReleased() throws Exception {
    answerBatches();
    AepStreamingClient client = build(builder());
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inCallback = new CountDownLatch(1);
    CompletableFuture<Delivery> blocked = client.send(message(1));
    var unused = blocked.thenRun(() -> {
      inCallback.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Delivery> other = client.send(message(2));
    long started = System.nanoTime();
    client.flush(Duration.ofMillis(300)); // may be true (message 2 on another I/O thread) or false; must return
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1300));
    value(other);
    release.countDown();
    assertThatCode(client::flush).doesNotThrowAnyException();
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  /** A typical Adobe connector configuration (its key names and values) still builds with the new validation. */
  @Test
  void adobeConnectorProperties_withItsUsualTimeouts_stillBuild() {
    Properties p = new Properties();
    p.setProperty("aep.endpoint", wm.baseUrl() + INLET_PATH);
    p.setProperty("aep.connection.timeout", "5000");
    p.setProperty("aep.connection.readTimeout", "60000");
    p.setProperty("aep.connection.maxRetries", "3");
    p.setProperty("aep.connection.retryBackoff", "300");
    p.setProperty("aep.flush.interval.seconds", "1");
    p.setProperty("aep.flush.bytes.kb", "4");
    AepStreamingClient client = AepStreamingClient.fromProperties(p);
    client.close(Duration.ofSeconds(1));
    // The longest flush interval the connector allows with its 60 s read timeout still fits the default 2 minutes.
    p.setProperty("aep.flush.interval.seconds", "60");
    AepStreamingClient longest = AepStreamingClient.fromProperties(p);
    longest.close(Duration.ofSeconds(1));
  }

  /**
   * A storm of 429s with {@code Retry-After: 0} on 8 requests in flight: the shared pause still follows the
   * back-off, so the request count stays within what the back-off allows for 8 slots.
   */
  @Test
  void stormOf429WithRetryAfterZero_onEightSlots_staysWithinTheBackoffRate() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(429)
        .withHeader("Retry-After", "0")));
    AepStreamingClient client = build(builder().maxInFlightRequests(8).maxBatchRecords(1).linger(Duration.ZERO)
        .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).deliveryTimeout(Duration.ofSeconds(2)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      futures.add(client.send(message(i)));
    }
    awaitAll(futures, Duration.ofSeconds(6));
    for (CompletableFuture<Delivery> f : futures) {
      assertThat(((AepDeliveryException) failure(f)).reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    }
    // A pause of at least 75 ms (100 ms - 25%) between rounds of at most 8: 2 s allows <= 8 * (1 + 2000 / 75).
    int requests = wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))).size();
    System.out.println("429 storm requests: " + requests);
    assertThat(requests).isLessThanOrEqualTo(8 * 28);
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  /**
   * close(timeout) gives up and fails the unsettled messages on the closing thread, so their callbacks run there:
   * a callback that flushes must not wait for the batch that this very thread is abandoning (close hung forever).
   */
  @Test
  void callbackThatFlushes_whenCloseFailsItsMessageOnTheClosingThread_doesNotHangClose() throws Exception {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)
        .withFixedDelay(10_000)));
    AepStreamingClient client = build(builder().clientName("closeflush"));
    AtomicReference<Throwable> callbackSaw = new AtomicReference<>();
    CompletableFuture<Delivery> f = client.send(message(1));
    CompletableFuture<Void> callbackDone = f.handle((d, e) -> {
      try {
        client.flush();
      } catch (Throwable t) {
        callbackSaw.set(t);
      }
      return null;
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 1);

    Thread closer = new Thread(() -> client.close(Duration.ofMillis(200)), "review-closer");
    closer.start();
    closer.join(5_000);
    assertThat(closer.isAlive()).as("close still running: %s", List.of(closer.getStackTrace())).isFalse();
    assertThat(((AepDeliveryException) failure(f)).reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    callbackDone.get(5, TimeUnit.SECONDS);
    assertThat(callbackSaw.get()).isInstanceOf(IllegalStateException.class);
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  /** A 207 with more entries than messages is a protocol error, named as such (it was an index out of bounds). */
  @Test
  void status207_withMoreEntriesThanMessages_isAProtocolError_notAnIndexOutOfBounds() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(207).withBody(
        "{\"responses\":[{\"xactionId\":\"a\"},{\"xactionId\":\"b\"},{\"xactionId\":\"c\"}]}")));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(1))
        .retryBackoff(Duration.ofMillis(200), Duration.ofMillis(200)));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    assertThat(e.getMessage()).contains("protocol error").doesNotContain("IndexOutOfBounds");
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  enum Answer { PER_ENTRY_400, WHOLE_400_BISECTED, WHOLE_400_REQUEST_LEVEL, PER_ENTRY_503_THEN_OK, ALWAYS_500, TOO_LARGE_SPLIT }

  /** Whatever way messages settle, every byte they held returns to the budget. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Answer.class)
  void everyOutcomePath_returnsTheBudgetToZero(Answer answer) {
    switch (answer) {
      case PER_ENTRY_400 -> answerBatches();
      case WHOLE_400_BISECTED -> wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse()
          .withTransformers(BatchAnswerer.NAME).withTransformerParameter("wholeRequest400", true)));
      case WHOLE_400_REQUEST_LEVEL -> wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse()
          .withStatus(400).withBody("{\"message\":\"bad sandbox\"}")));
      case PER_ENTRY_503_THEN_OK -> {
        String scenario = "entry503";
        wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).inScenario(scenario).whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(207).withBody("{\"responses\":[{\"xactionId\":\"a\"},"
                + "{\"statusCode\":503},{\"statusCode\":429},{\"statusCode\":400,\"message\":\"bad\"}]}"))
            .willSetStateTo("ok"));
        wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).inScenario(scenario).whenScenarioStateIs("ok")
            .willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
      }
      case ALWAYS_500 -> wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(500)
          .withBody("<html>oops</html>")));
      case TOO_LARGE_SPLIT -> wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse()
          .withTransformers(BatchAnswerer.NAME).withTransformerParameter("maxBody", 120)));
    }
    AepStreamingClient client = build(builder().maxBatchRecords(4).linger(Duration.ofSeconds(1))
        .deliveryTimeout(Duration.ofSeconds(2)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      futures.add(client.send(i % 3 == 1 ? badMessage(i) : message(i)));
    }
    client.flush();
    assertThat(futures).allMatch(CompletableFuture::isDone);
    AepClientMetrics m = client.metrics();
    assertThat(m.bufferedBytes()).isZero();
    assertThat(m.bufferedMessages()).isZero();
    assertThat(m.messagesDelivered() + m.messagesRejected() + m.messagesFailed()).isEqualTo(12);
  }

  /**
   * IMS stalls: the token fetch blocks the auth thread in a socket read, which an interrupt does not end. close
   * must still leave no client thread alive (the fetch is cancelled, not waited for).
   */
  @Test
  void close_whileTheImsTokenFetchStalls_leavesNoClientThreadAlive() {
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3")).willReturn(aResponse().withFixedDelay(15_000)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"access_token\":\"t\",\"token_type\":\"bearer\",\"expires_in\":86399}")));
    answerBatches();
    AepStreamingClient client = build(builder().clientName("slowims")
        .auth(AepAuth.oauth("client-1", "not-a-real-secret", "ORG@AdobeOrg")));
    CompletableFuture<Delivery> f = client.send(message(1));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !wm.findAll(postRequestedFor(urlPathEqualTo("/ims/token/v3"))).isEmpty());

    long started = System.nanoTime();
    client.close(Duration.ofMillis(200));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(((AepDeliveryException) failure(f)).reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    assertThat(client.metrics().bufferedBytes()).isZero();
    await().atMost(Duration.ofSeconds(3)).until(() -> clientThreads("slowims").isEmpty());
  }

  /** A server that drops every connection: requests still follow the back-off (OkHttp adds no fast retries of its own). */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = com.github.tomakehurst.wiremock.http.Fault.class,
      names = {"EMPTY_RESPONSE", "CONNECTION_RESET_BY_PEER", "RANDOM_DATA_THEN_CLOSE"})
  void droppedConnections_retryAtTheBackoffRate_andTimeOutOnTime(com.github.tomakehurst.wiremock.http.Fault fault) {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withFault(fault)));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofMillis(1500))
        .retryBackoff(Duration.ofMillis(200), Duration.ofMillis(200)));
    long started = System.nanoTime();
    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500).plusMillis(500));
    int requests = wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))).size();
    System.out.println(fault + " requests: " + requests);
    // 1.5 s at one attempt per >= 150 ms (200 ms - 25%): at most 11 attempts.
    assertThat(requests).isBetween(2, 11);
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  /** Two threads close at once: the one that loses the race still returns only when the client is closed. */
  @Test
  void concurrentClose_theSecondCallerAlsoReturnsOnlyOnceTheClientIsClosed() throws Exception {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)
        .withFixedDelay(10_000)));
    AepStreamingClient client = build(builder().clientName("twoclose"));
    CompletableFuture<Delivery> f = client.send(message(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 1);

    Thread first = new Thread(() -> client.close(Duration.ofMillis(700)), "review-first-closer");
    first.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> first.getState() == Thread.State.WAITING
        || first.getState() == Thread.State.TIMED_WAITING);
    client.close(Duration.ofSeconds(5));
    assertThat(f).isDone();
    assertThat(client.metrics().bufferedBytes()).isZero();
    assertThat(clientThreads("twoclose")).isEmpty();
    first.join(5_000);
  }
}
