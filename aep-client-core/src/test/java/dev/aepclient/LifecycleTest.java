package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.failure;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** flush, close and the listener: nothing disappears, nothing is left running. */
class LifecycleTest extends WireMockTest {

  private void answerBatches(int delayMillis) {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(delayMillis)));
  }

  /**
   * Waits briefly for the client's threads to be gone: a pool is terminated when its last worker has left its
   * run loop, a moment before that thread is dead.
   */
  private static void assertNoThreadsNamed(String prefix) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName).noneMatch(n -> n.startsWith(prefix)));
  }

  @Test
  void close_deliversWhatIsBufferedFirst() {
    answerBatches(0);
    AepStreamingClient client = builder().linger(Duration.ofSeconds(15)).build();
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(client.send(message(i)));
    }
    client.close();

    futures.forEach(f -> value(f));
    assertThat(ANSWERER.accepted()).hasSize(5);
  }

  @Test
  void close_withWorkInFlight_failsWhatItCouldNotDeliverWithinItsTimeout() {
    answerBatches(10_000);
    AepStreamingClient client = builder().clientName("closing").maxBatchRecords(2).build();
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(client.send(message(i)));
    }
    long before = System.nanoTime();
    client.close(Duration.ofMillis(300));

    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(8));
    for (CompletableFuture<Delivery> f : futures) {
      AepDeliveryException e = (AepDeliveryException) failure(f);
      assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    }
    AepClientMetrics m = client.metrics();
    assertThat(m.messagesFailed()).isEqualTo(10);
    assertThat(m.bufferedBytes()).isZero();
    assertThat(m.messagesSent()).isEqualTo(m.messagesDelivered() + m.messagesRejected() + m.messagesFailed());
    assertNoThreadsNamed("aep-client-closing-");
  }

  @Test
  void send_afterClose_failsAtOnce() {
    AepStreamingClient client = builder().build();
    client.close();
    client.close(); // idempotent

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    assertThat(e.getMessage()).contains("closed");
  }

  @Test
  void flush_withATimeout_reportsWhetherEverythingSettled() {
    answerBatches(2_000);
    AepStreamingClient client = build(builder());
    CompletableFuture<Delivery> f = client.send(message(1));

    assertThat(client.flush(Duration.ofMillis(100))).isFalse();
    assertThat(client.flush(Duration.ofSeconds(20))).isTrue();
    assertThat(f).isCompletedWithValueMatching(d -> d.xactionId().startsWith("x-"));
  }

  @Test
  void listener_seesEveryOutcomeExactlyOnce() {
    answerBatches(0);
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    DeliveryListener listener = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        seen.computeIfAbsent("delivered " + message.json(), k -> new AtomicInteger()).incrementAndGet();
      }

      @Override
      public void onRejected(AepMessage message, AepRejectedException rejection) {
        seen.computeIfAbsent("rejected " + message.json(), k -> new AtomicInteger()).incrementAndGet();
      }

      @Override
      public void onFailed(AepMessage message, AepDeliveryException failure) {
        seen.computeIfAbsent("failed " + message.json(), k -> new AtomicInteger()).incrementAndGet();
        throw new IllegalStateException("a throwing listener changes nothing");
      }
    };
    AepStreamingClient client = build(builder().deliveryListener(listener));
    CompletableFuture<Delivery> ok = client.send(message(1));
    CompletableFuture<Delivery> bad = client.send(badMessage(2));
    client.flush();
    client.close();
    CompletableFuture<Delivery> late = client.send(message(3));

    value(ok);
    assertThat(failure(bad)).isInstanceOf(AepRejectedException.class);
    assertThat(failure(late)).isInstanceOf(AepDeliveryException.class);
    assertThat(seen).containsOnlyKeys("delivered " + message(1).json(), "rejected " + badMessage(2).json(),
        "failed " + message(3).json());
    assertThat(seen.values()).allSatisfy(count -> assertThat(count).hasValue(1));
  }

  @Test
  void createAndClose_leavesNoThreads() {
    answerBatches(0);
    for (int i = 0; i < 20; i++) {
      AepStreamingClient client = builder().clientName("cycle").build();
      value(client.send(message(i)));
      client.close();
    }
    assertNoThreadsNamed("aep-client-cycle-");
  }
}
