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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The byte budget bounds everything unsettled; BLOCK waits up to maxBlock, FAIL fails at once. */
class BackpressureTest extends WireMockTest {
  private static final int BUDGET = 20_000;

  private AepStreamingClientBuilder smallBudget() {
    return builder().maxRequestBytes(10_000).maxBatchBytes(10_000).maxBufferedBytes(BUDGET).maxBatchRecords(5);
  }

  private static AepMessage kilobyte(int id) {
    return AepMessage.of("{\"id\":\"" + id + "\",\"p\":\"" + "x".repeat(980) + "\"}");
  }

  private void stallServer(int millis) {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(millis)));
  }

  @Test
  void fail_refusesAtOnceWhenTheBudgetIsUsedUp_andNeverExceedsIt() {
    stallServer(60_000);
    AepStreamingClient client = build(smallBudget().whenBufferFull(BufferFullPolicy.FAIL));
    List<CompletableFuture<Delivery>> accepted = new ArrayList<>();
    CompletableFuture<Delivery> refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      long before = System.nanoTime();
      CompletableFuture<Delivery> f = client.send(kilobyte(i));
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
      if (f.isCompletedExceptionally()) {
        refused = f;
      } else {
        accepted.add(f);
      }
      assertThat(client.metrics().bufferedBytes()).isLessThanOrEqualTo(BUDGET);
    }
    assertThat(refused).isNotNull();
    AepBufferFullException e = (AepBufferFullException) failure(refused);
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.BUFFER_FULL);
    assertThat(e.getMessage()).contains("maxBufferedBytes, aep.buffer.max.bytes");
    int fitting = 0;
    for (long used = 0; used + kilobyte(fitting).sizeInBytes() + 128 <= BUDGET; fitting++) {
      used += kilobyte(fitting).sizeInBytes() + 128; // each message also holds 128 bytes of overhead
    }
    assertThat(accepted).hasSize(fitting);
    assertThat(client.metrics().messagesFailed()).isEqualTo(1);
  }

  @Test
  void block_waitsUpToMaxBlock_thenFails() {
    stallServer(60_000);
    AepStreamingClient client = build(smallBudget().maxBlock(Duration.ofMillis(300)));
    for (int i = 0; i < 17; i++) {
      assertThat(client.send(kilobyte(i))).isNotDone();
    }
    long before = System.nanoTime();
    CompletableFuture<Delivery> blocked = client.send(kilobyte(99));
    Duration waited = Duration.ofNanos(System.nanoTime() - before);

    assertThat(waited).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    AepBufferFullException e = (AepBufferFullException) failure(blocked);
    assertThat(e.getMessage()).contains("maxBlock");
    assertThat(client.metrics().bufferedBytes()).isLessThanOrEqualTo(BUDGET);
  }

  @Test
  void block_resumesAsSoonAsSpaceIsFreed() {
    stallServer(300);
    AepStreamingClient client = build(smallBudget().maxBlock(Duration.ofSeconds(20)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(client.send(kilobyte(i)));
      assertThat(client.metrics().bufferedBytes()).isLessThanOrEqualTo(BUDGET);
    }
    futures.forEach(f -> value(f));
    assertThat(ANSWERER.accepted()).hasSize(200);
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  @Test
  void trySend_neverWaits_andQueuesNothingWhenFull() {
    stallServer(1_000);
    AepStreamingClient client = build(smallBudget().maxBlock(Duration.ofMinutes(1)));
    int accepted = 0;
    while (client.trySend(kilobyte(accepted)).isPresent()) {
      accepted++;
    }
    long before = System.nanoTime();
    assertThat(client.trySend(kilobyte(999))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
    assertThat(client.metrics().messagesSent()).isEqualTo(accepted);
    assertThat(client.metrics().messagesFailed()).isZero();

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> client.trySend(kilobyte(1000)).isPresent());
    assertThat(client.flush(Duration.ofSeconds(20))).isTrue();
    assertThat(ANSWERER.accepted()).hasSize(accepted + 1);
  }
}
