package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review of the scheduled resend of a 207's transient entries (BatchSender.answered, rewritten for Error Prone):
 * a message AEP keeps answering 503 for still fails by its delivery timeout, and one whose resend is waiting when
 * the client closes fails {@code CLOSED} at close, with its budget back.
 */
class PerEntryRetryScheduleTest extends WireMockTest {

  @BeforeEach
  void alwaysBusyForTheEntry() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(207).withBody(
        "{\"inletId\":\"i\",\"batchId\":\"b\",\"receivedTimeMs\":1,"
            + "\"responses\":[{\"statusCode\":503,\"message\":\"busy\"}]}")));
  }

  @Test
  void entryAnswered503Forever_failsByTheDeliveryTimeout() {
    AepStreamingClient client = build(builder().maxBatchRecords(1).deliveryTimeout(Duration.ofMillis(1_500))
        .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200)));
    long before = System.nanoTime();
    CompletableFuture<Delivery> future = client.send(message(1));

    AepDeliveryException e = (AepDeliveryException) failure(future);
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofMillis(1_500 + 1_000));
    assertThat(client.metrics().retriedRequests()).isPositive();
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  @Test
  void closeWhileAnEntryResendWaits_failsTheMessageClosedAtClose() {
    AepStreamingClient client = build(builder().maxBatchRecords(1).deliveryTimeout(Duration.ofSeconds(60))
        .retryBackoff(Duration.ofSeconds(20), Duration.ofSeconds(20)));
    CompletableFuture<Delivery> future = client.send(message(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().retriedRequests() >= 1);

    long before = System.nanoTime();
    client.close(Duration.ofMillis(200));

    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    assertThat(future).isCompletedExceptionally();
    AepDeliveryException e = (AepDeliveryException) failure(future);
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.CLOSED);
    assertThat(client.metrics().bufferedBytes()).isZero();
    assertThat(client.metrics().bufferedMessages()).isZero();
  }
}
