package dev.aepclient.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AepClientMetricsBinderTest {
  private static AepSimulator aep;
  private MeterRegistry registry;

  @BeforeAll
  static void startSimulator() {
    aep = AepSimulator.builder().idPointer("/id").start();
  }

  @AfterAll
  static void stopSimulator() {
    aep.close();
  }

  @BeforeEach
  void reset() {
    aep.resetRecords();
    aep.clearFaults();
    aep.clearRejections();
    registry = new SimpleMeterRegistry();
  }

  private AepStreamingClient client(Duration deliveryTimeout) {
    return AepStreamingClient.builder().inletUrl(aep.inletUrl()).linger(Duration.ofMillis(5)).maxBatchRecords(20)
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).deliveryTimeout(deliveryTimeout).build();
  }

  private static String event(int n) {
    return "{\"id\":\"" + n + "\",\"bad\":" + (n % 10 == 0) + "}";
  }

  private long counter(String name, String... tags) {
    return (long) registry.get(name).tags(Tags.of(tags)).functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void countersMatchWhatTheSimulatorAcceptedRejectedAndThrottled() {
    aep.rejectWhen(m -> m.path("bad").asBoolean(), 400, "bad record");
    aep.enqueueFaults(Fault.throttle(0), Fault.status(503));
    try (AepStreamingClient client = client(Duration.ofSeconds(30))) {
      new AepClientMetricsBinder(client, Tags.of("client", "orders")).bindTo(registry);
      List<CompletableFuture<Delivery>> futures = new ArrayList<>();
      for (int n = 0; n < 200; n++) {
        futures.add(client.send(AepMessage.of(event(n))));
      }
      client.flush();
      assertThat(futures).allMatch(CompletableFuture::isDone);

      assertThat(counter("aep.client.messages.sent", "client", "orders")).isEqualTo(200L);
      assertThat(counter("aep.client.messages", "outcome", "delivered")).isEqualTo(aep.acceptedCount()).isEqualTo(180L);
      assertThat(counter("aep.client.messages", "outcome", "rejected")).isEqualTo(aep.rejectedCount()).isEqualTo(20L);
      assertThat(counter("aep.client.messages", "outcome", "failed")).isZero();
      long simulatorRequests = aep.requestsByStatus().values().stream().mapToLong(Long::longValue).sum();
      assertThat(counter("aep.client.requests")).isEqualTo(simulatorRequests);
      assertThat(counter("aep.client.requests.throttled")).isEqualTo(aep.requestsByStatus().get(429)).isEqualTo(1L);
      assertThat(counter("aep.client.requests.retried")).isEqualTo(2L);
      assertThat(counter("aep.client.batches")).isEqualTo(client.metrics().batches()).isGreaterThanOrEqualTo(10L);
      assertThat(counter("aep.client.request.body")).isEqualTo(client.metrics().bytesSent()).isPositive();
      assertThat(registry.get("aep.client.request.body").functionCounter().getId().getBaseUnit()).isEqualTo("bytes");

      assertThat(gauge("aep.client.buffer.messages")).isZero();
      assertThat(gauge("aep.client.buffer.used")).isZero();
      assertThat(gauge("aep.client.requests.in.flight")).isZero();
      assertThat(gauge("aep.client.requests.in.flight.limit")).isEqualTo(client.metrics().inFlightLimit())
          .isPositive();
      double p50 = registry.get("aep.client.latency").tag("phi", "0.5").timeGauge().value(TimeUnit.NANOSECONDS);
      double p99 = registry.get("aep.client.latency").tag("phi", "0.99").timeGauge().value(TimeUnit.NANOSECONDS);
      assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
      assertThat(registry.get("aep.client.latency").timeGauge().baseTimeUnit()).isEqualTo(TimeUnit.SECONDS);

      // Every request the simulator answered was timed, answer read included; percentiles as Micrometer tags them.
      FunctionTimer requests = registry.get("aep.client.request.duration").functionTimer();
      assertThat(requests.count()).isEqualTo((double) simulatorRequests);
      // Micrometer keeps the total in seconds (a double): equal to the nanosecond within rounding.
      assertThat(requests.totalTime(TimeUnit.NANOSECONDS))
          .isCloseTo((double) client.metrics().requestDurationTotal().toNanos(), within(1_000.0)).isPositive();
      double requestP50 = registry.get("aep.client.request.duration.percentile").tag("phi", "0.5").timeGauge()
          .value(TimeUnit.NANOSECONDS);
      double requestP99 = registry.get("aep.client.request.duration.percentile").tag("phi", "0.99").timeGauge()
          .value(TimeUnit.NANOSECONDS);
      assertThat(requestP50).isPositive().isLessThanOrEqualTo(requestP99);
    }
  }

  @Test
  void gaugesShowBufferedBytesAndRequestsInFlightWhileAepStalls() {
    aep.enqueueFaults(Fault.delay(Duration.ofSeconds(2)));
    try (AepStreamingClient client = client(Duration.ofSeconds(30))) {
      new AepClientMetricsBinder(client).bindTo(registry);
      CompletableFuture<Delivery> stalled = client.send(AepMessage.of(event(1)));

      await().atMost(Duration.ofSeconds(5)).until(() -> gauge("aep.client.requests.in.flight") == 1);
      assertThat(gauge("aep.client.buffer.messages")).isEqualTo(1);
      assertThat(gauge("aep.client.buffer.used")).isGreaterThanOrEqualTo(event(1).length());

      stalled.join();
      await().atMost(Duration.ofSeconds(5)).until(() -> gauge("aep.client.requests.in.flight") == 0);
      assertThat(gauge("aep.client.buffer.used")).isZero();
    }
  }

  @Test
  void failedCountsMessagesTheClientGaveUpOn() {
    aep.enqueueFaults(1000, Fault.status(503));
    try (AepStreamingClient client = client(Duration.ofSeconds(1))) {
      new AepClientMetricsBinder(client).bindTo(registry);
      for (int n = 1; n <= 5; n++) {
        var unused = client.send(AepMessage.of(event(n)));
      }
      client.flush();
      assertThat(counter("aep.client.messages", "outcome", "failed")).isEqualTo(5L);
      assertThat(counter("aep.client.messages", "outcome", "delivered")).isZero().isEqualTo(aep.acceptedCount());
      assertThat(counter("aep.client.requests.retried")).isPositive();
    } finally {
      aep.clearFaults();
    }
  }
}
