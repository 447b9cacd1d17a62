package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The number of requests in flight follows what the service sustains, between 1 and maxInFlightRequests. */
class AdaptiveConcurrencyTest extends WireMockTest {

  private static List<CompletableFuture<Delivery>> sendAll(AepStreamingClient client, int count) {
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(client.send(message(i)));
    }
    return futures;
  }

  @Test
  void growsPastItsStartWhileRoundTripsStayFlat_neverAboveTheCeiling() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH))
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(30)));
    AepStreamingClient client = build(builder().maxBatchRecords(5).maxInFlightRequests(24));
    assertThat(client.metrics().inFlightLimit()).isEqualTo(4);

    sendAll(client, 3_000).forEach(f -> value(f));

    assertThat(client.metrics().inFlightLimit()).isGreaterThan(4).isLessThanOrEqualTo(24);
    assertThat(ANSWERER.largestBatch()).isLessThanOrEqualTo(5);
  }

  @Test
  void fallsToOneUnderPersistentThrottling_andStillDeliversWhenTheServiceRecovers() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).atPriority(5)
        .willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    StubMapping throttling = wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).atPriority(1)
        .willReturn(aResponse().withStatus(429)));
    AepStreamingClient client = build(builder().maxBatchRecords(5).maxInFlightRequests(24)
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)));
    List<CompletableFuture<Delivery>> futures = sendAll(client, 100);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> client.metrics().throttledRequests() >= 20);
    assertThat(client.metrics().inFlightLimit()).isEqualTo(1);

    wm.removeStub(throttling);
    assertThat(wm.getStubMappings()).hasSize(1);
    futures.forEach(f -> value(f));
  }

  @Test
  void aFixedLimitStaysWhereItWasSet() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    AepStreamingClient client = build(builder().maxBatchRecords(5).maxInFlightRequests(3)
        .adaptiveConcurrency(false));
    sendAll(client, 500).forEach(f -> value(f));
    assertThat(client.metrics().inFlightLimit()).isEqualTo(3);
  }
}
