package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review of the request-duration histogram: an attempt cut by its timeout, and one cancelled by close, are each
 * counted once, with a duration bounded by what the client allowed it; nothing stays in flight.
 */
class RequestDurationOnTimeoutAndCloseTest extends WireMockTest {

  @Test
  void attemptsCutByTheRequestTimeout_areCountedOnceAndTimedWithinTheirTimeout() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(5_000)));
    AepStreamingClient client = build(builder().linger(Duration.ZERO).requestTimeout(Duration.ofMillis(300))
        .deliveryTimeout(Duration.ofMillis(1_200)).retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10)));
    CompletableFuture<Delivery> future = client.send(message(1));

    assertThat(failure(future)).isInstanceOf(AepDeliveryException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 0);
    AepClientMetrics metrics = client.metrics();
    assertThat(metrics.requests()).isGreaterThanOrEqualTo(2); // retried within the delivery timeout
    assertThat(metrics.finishedRequests()).isEqualTo(metrics.requests());
    // Each attempt took about its 300 ms timeout (the last one maybe less: cut to the time left), never 5 s.
    assertThat(metrics.requestDurationP99()).isLessThan(Duration.ofSeconds(1));
    assertThat(metrics.requestDurationTotal()).isGreaterThanOrEqualTo(Duration.ofMillis(300))
        .isLessThan(Duration.ofMillis(1_000).multipliedBy(metrics.requests()));
  }

  @Test
  void attemptCancelledByClose_isCountedOnceAndLeavesNothingInFlight() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(10_000)));
    AepStreamingClient client = build(builder().linger(Duration.ZERO));
    CompletableFuture<Delivery> future = client.send(message(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 1);

    client.close(Duration.ZERO);

    assertThat(failure(future)).isInstanceOf(AepDeliveryException.class);
    AepClientMetrics metrics = client.metrics();
    assertThat(metrics.requests()).isEqualTo(1);
    assertThat(metrics.finishedRequests()).isEqualTo(1);
    assertThat(metrics.inFlightRequests()).isZero();
    assertThat(metrics.requestDurationTotal()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofSeconds(10));
    assertThat(metrics.bufferedBytes()).isZero();
  }
}
