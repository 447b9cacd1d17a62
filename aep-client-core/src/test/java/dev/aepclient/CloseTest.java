package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 9, defects 5, 6 and the flush/close/send-interrupt items of 9: close and flush always return. */
class CloseTest extends WireMockTest {

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }

  @Test
  void flushWaitingInAnotherThread_returnsWhenCloseGivesUp_evenWithARetryPending() throws Exception {
    // Every answer is a 503 and the back-off is long: when close gives up, the retry is a task on the scheduler
    // that shutdownNow() drops, so only close itself can complete the batch.
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(503)));
    AepStreamingClient client = builder().clientName("flush-vs-close")
        .retryBackoff(Duration.ofSeconds(10), Duration.ofSeconds(20)).build();
    CompletableFuture<Delivery> f = client.send(message(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().requests() >= 1
        && client.metrics().inFlightRequests() == 0);
    CompletableFuture<Void> flushed = CompletableFuture.runAsync(client::flush);
    client.close(Duration.ofMillis(200));

    assertThat(flushed).succeedsWithin(Duration.ofSeconds(5));
    assertThat(((AepDeliveryException) failure(f)).reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  @Test
  void close_onAnInterruptedThread_stopsEveryThread_failsWhatIsUnsettled_andKeepsTheInterrupt() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)
        .withFixedDelay(10_000)));
    AepStreamingClient client = builder().clientName("interrupted-close").build();
    CompletableFuture<Delivery> f = client.send(message(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 1);

    Thread.currentThread().interrupt();
    try {
      client.close();
    } finally {
      assertThat(Thread.interrupted()).as("interrupt status kept (and cleared here)").isTrue();
    }

    assertThat(((AepDeliveryException) failure(f)).reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    await().atMost(Duration.ofSeconds(5)).until(() -> threadsNamed("aep-client-interrupted-close-") == 0);
    assertThat(((AepDeliveryException) failure(client.send(message(2)))).reason())
        .isEqualTo(AepDeliveryException.Reason.CLOSED);
  }

  @Test
  void closeAndFlushWithNull_throwAtOnce_andCloseThenStillWorks() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    AepStreamingClient client = builder().clientName("null-timeouts").build();
    var unused = client.send(message(1));

    assertThatThrownBy(() -> CompletableFuture.runAsync(() -> client.flush(null)).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> CompletableFuture.runAsync(() -> client.close(null)).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(NullPointerException.class);

    client.close(Duration.ofSeconds(5)); // the null close closed nothing
    await().atMost(Duration.ofSeconds(5)).until(() -> threadsNamed("aep-client-null-timeouts-") == 0);
  }

  @Test
  void interruptedBlockingSend_reportsTheInterruption_andKeepsTheInterrupt() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)
        .withFixedDelay(10_000)));
    AepStreamingClient client = build(builder().maxRequestBytes(2048).maxBatchBytes(2048).maxBufferedBytes(2048)
        .maxBlock(Duration.ofSeconds(30)));
    AepMessage large = AepMessage.of("{\"p\":\"" + "x".repeat(1500) + "\"}");
    var unused = client.send(large);

    Thread.currentThread().interrupt();
    long before = System.nanoTime();
    CompletableFuture<Delivery> refused;
    try {
      refused = client.send(large);
    } finally {
      assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
    }

    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    AepBufferFullException e = (AepBufferFullException) failure(refused);
    assertThat(e.getMessage()).contains("interrupted").doesNotContain("longer than maxBlock");
  }

  @Test
  void sendAfterClose_isRefusedAsClosed_notAsBufferFull() {
    AepStreamingClient client = build(builder().maxRequestBytes(2048).maxBatchBytes(2048).maxBufferedBytes(2048));
    client.close(Duration.ofSeconds(1));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e).isNotInstanceOf(AepBufferFullException.class);
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    assertThat(client.metrics().messagesFailed()).isEqualTo(1);
    assertThat(client.metrics().messagesSent()).isEqualTo(1);
  }
}
