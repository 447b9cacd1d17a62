package dev.aepclient;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Review of the builder's preconditions at the edges: null, negative, zero, the largest values, NaN. Each setter
 * fails at once, with {@link IllegalArgumentException} or {@link NullPointerException}, naming the setting.
 */
class BuilderEdgeValuesTest {
  private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

  private static void refused(Consumer<AepStreamingClientBuilder> set, String setting) {
    assertThatThrownBy(() -> set.accept(AepStreamingClient.builder()))
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
        .hasMessageContaining(setting);
  }

  @Test
  void nullObjectSettings_failNamingTheSetting() {
    Map<String, Consumer<AepStreamingClientBuilder>> setters = Map.of(
        "auth", b -> b.auth(null),
        "whenBufferFull", b -> b.whenBufferFull(null),
        "httpProtocol", b -> b.httpProtocol(null),
        "httpClient", b -> b.httpClient(null),
        "proxy password", b -> b.proxyCredentials("user", null),
        "header value", b -> b.header("x-extra", null),
        "deliveryListener", b -> b.deliveryListener(null),
        "clientName", b -> b.clientName(null),
        "inletUrl", b -> b.inletUrl(null));
    setters.forEach((setting, set) -> refused(set, setting));
  }

  @Test
  void durationSettingsAtTheirEdges_failNamingTheSetting() {
    for (Duration bad : new Duration[] {null, Duration.ofNanos(-1), Duration.ofSeconds(-1), HUGE}) {
      refused(b -> b.linger(bad), "linger (aep.linger.ms)");
      refused(b -> b.maxBlock(bad), "maxBlock (aep.buffer.max.block.ms)");
      refused(b -> b.deliveryTimeout(bad), "deliveryTimeout (aep.delivery.timeout.ms)");
      refused(b -> b.requestTimeout(bad), "requestTimeout (aep.request.timeout.ms)");
      refused(b -> b.connectTimeout(bad), "connectTimeout (aep.connect.timeout.ms)");
      refused(b -> b.retryBackoff(bad, Duration.ofSeconds(1)), "initial back-off (aep.retry.backoff.ms)");
      refused(b -> b.retryBackoff(Duration.ofMillis(100), bad), "max back-off (aep.retry.backoff.max.ms)");
    }
    // ZERO is legal for linger and maxBlock only.
    AepStreamingClient.builder().linger(Duration.ZERO).maxBlock(Duration.ZERO);
    refused(b -> b.deliveryTimeout(Duration.ZERO), "deliveryTimeout");
    refused(b -> b.requestTimeout(Duration.ZERO), "requestTimeout");
    refused(b -> b.connectTimeout(Duration.ZERO), "connectTimeout");
    refused(b -> b.retryBackoff(Duration.ZERO, Duration.ZERO), "initial back-off");
  }

  @Test
  void numericSettingsAtTheirEdges_failNamingTheSetting() {
    for (double bad : new double[] {Double.NaN, 0, -0.0, -1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
        Double.MAX_VALUE}) {
      refused(b -> b.maxRequestsPerSecond(bad), "maxRequestsPerSecond (aep.rate.limit.rps)");
    }
    for (int bad : new int[] {Integer.MIN_VALUE, -1, 0}) {
      refused(b -> b.maxBatchRecords(bad), "maxBatchRecords (aep.batch.max.records)");
      refused(b -> b.maxBatchBytes(bad), "maxBatchBytes (aep.batch.max.bytes)");
      refused(b -> b.maxRequestBytes(bad), "maxRequestBytes (aep.max.request.bytes)");
      refused(b -> b.maxInFlightRequests(bad), "maxInFlightRequests (aep.max.in.flight)");
      refused(b -> b.proxy("proxy.local", bad), "proxy port (aep.proxy.port)");
    }
    refused(b -> b.maxBatchRecords(Integer.MAX_VALUE), "maxBatchRecords");
    refused(b -> b.maxRequestBytes(Integer.MAX_VALUE), "maxRequestBytes");
    refused(b -> b.maxInFlightRequests(Integer.MAX_VALUE), "maxInFlightRequests");
    refused(b -> b.proxy("proxy.local", 65_536), "proxy port");
    for (long bad : new long[] {Long.MIN_VALUE, -1, 0, 1023, Integer.MAX_VALUE + 1L, Long.MAX_VALUE}) {
      refused(b -> b.maxBufferedBytes(bad), "maxBufferedBytes (aep.buffer.max.bytes)");
    }
  }
}
