package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
      long gap = requests.get(i).getLoggedDate().getTime() - requests.get(i - 1).getLoggedDate().getTime();
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
}
