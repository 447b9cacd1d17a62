package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link AepClientMetrics} times every HTTP attempt, from its start to its answer read or its failure. */
class RequestDurationTest extends WireMockTest {
  @Test
  void everyAnsweredRequestIsTimedAtLeastAsLongAsTheServerTookToAnswer() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(300)));
    AepStreamingClient client = build(builder().maxBatchRecords(1));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      futures.add(client.send(message(n)));
    }
    assertThat(client.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());

    AepClientMetrics metrics = client.metrics();
    assertThat(metrics.requests()).isEqualTo(3);
    assertThat(metrics.finishedRequests()).isEqualTo(3);
    assertThat(metrics.requestDurationTotal()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(metrics.requestDurationP50()).isGreaterThanOrEqualTo(Duration.ofMillis(300))
        .isLessThanOrEqualTo(metrics.requestDurationP99());
    // A request is part of a message's send-to-outcome time, never more.
    assertThat(metrics.requestDurationP99()).isLessThanOrEqualTo(metrics.latencyP99().plusMillis(50));
  }

  @Test
  void aFailedAttemptIsTimedToo() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    AepStreamingClient client = build(builder().deliveryTimeout(Duration.ofSeconds(1))
        .requestTimeout(Duration.ofMillis(500)).linger(Duration.ZERO));
    CompletableFuture<Delivery> future = client.send(message(1));
    assertThat(client.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(future).isCompletedExceptionally();

    AepClientMetrics metrics = client.metrics();
    assertThat(metrics.requests()).isPositive();
    assertThat(metrics.finishedRequests()).isEqualTo(metrics.requests());
    assertThat(metrics.inFlightRequests()).isZero();
    assertThat(metrics.requestDurationTotal()).isPositive();
    assertThat(metrics.requestDurationP50()).isGreaterThan(Duration.ZERO);
  }
}
