package dev.aepclient.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The binder over a client's whole life: several registries, a closed client, a client nobody references. */
class AepClientMetricsBinderLifecycleTest {

  private static long sent(MeterRegistry registry) {
    return (long) registry.get("aep.client.messages.sent").functionCounter().count();
  }

  @Test
  void oneBinderBoundToTwoRegistriesReportsTheSameCountsInBoth() throws Exception {
    MeterRegistry first = new SimpleMeterRegistry();
    MeterRegistry second = new SimpleMeterRegistry();
    try (AepSimulator aep = AepSimulator.start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl())
            .linger(Duration.ofMillis(5)).build()) {
      AepClientMetricsBinder binder = new AepClientMetricsBinder(client, Tags.of("client", "orders"));
      binder.bindTo(first);
      binder.bindTo(second);
      binder.bindTo(second); // binding again registers nothing new and counts nothing twice
      for (int n = 0; n < 3; n++) {
        client.send(AepMessage.of("{\"n\":" + n + "}")).get(10, TimeUnit.SECONDS);
      }
      assertThat(sent(first)).isEqualTo(3);
      assertThat(sent(second)).isEqualTo(3);
      assertThat(second.getMeters()).hasSameSizeAs(first.getMeters());
      assertThat(first.get("aep.client.messages").tags("outcome", "delivered", "client", "orders")
          .functionCounter().count()).isEqualTo(3.0);
    }
  }

  @Test
  void aClosedClientsMetersStillReadAndKeepTheirCounts() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (AepSimulator aep = AepSimulator.start()) {
      AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl())
          .linger(Duration.ofMillis(5)).build();
      new AepClientMetricsBinder(client).bindTo(registry);
      client.send(AepMessage.of("{}")).get(10, TimeUnit.SECONDS);
      client.close();
      assertThat(sent(registry)).isEqualTo(1);
      assertThat(registry.get("aep.client.buffer.messages").gauge().value()).isZero();
      for (Meter meter : registry.getMeters()) {
        assertThat(meter.measure()).as(meter.getId().toString()).isNotEmpty();
      }
    }
  }

  @Test
  void aClientBoundWithTheSameTagsAfterTheOldBinderClosedIsTheOneReported() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (AepSimulator aep = AepSimulator.start()) {
      AepStreamingClient old = AepStreamingClient.builder().inletUrl(aep.inletUrl())
          .linger(Duration.ofMillis(5)).build();
      AepClientMetricsBinder oldBinder = new AepClientMetricsBinder(old, Tags.of("client", "orders"));
      oldBinder.bindTo(registry);
      old.send(AepMessage.of("{}")).get(10, TimeUnit.SECONDS);
      old.send(AepMessage.of("{}")).get(10, TimeUnit.SECONDS);
      old.close();
      // Without this, the registry would hand the old client's meters back to the new binder: sent would read 2.
      oldBinder.close();
      oldBinder.close();
      assertThat(registry.find("aep.client.messages.sent").meters()).isEmpty();
      assertThat(registry.getMeters()).isEmpty();

      try (AepStreamingClient replacement = AepStreamingClient.builder().inletUrl(aep.inletUrl())
          .linger(Duration.ofMillis(5)).build()) {
        new AepClientMetricsBinder(replacement, Tags.of("client", "orders")).bindTo(registry);
        replacement.send(AepMessage.of("{}")).get(10, TimeUnit.SECONDS);
        assertThat(sent(registry)).isEqualTo(1);
      }
    }
  }

  /** Builds, binds and closes a client, keeping no strong reference to it. */
  private static WeakReference<AepStreamingClient> bindAndClose(MeterRegistry registry, AepSimulator aep)
      throws Exception {
    AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl())
        .linger(Duration.ofMillis(5)).build();
    new AepClientMetricsBinder(client).bindTo(registry);
    client.send(AepMessage.of("{}")).get(10, TimeUnit.SECONDS);
    client.close();
    return new WeakReference<>(client);
  }

  @Test
  void theRegistryDoesNotKeepAClosedClientAlive() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (AepSimulator aep = AepSimulator.start()) {
      WeakReference<AepStreamingClient> client = bindAndClose(registry, aep);
      assertThat(sent(registry)).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
        System.gc();
        return client.get() == null;
      });
      // A gauge over a collected client reads NaN (Micrometer's convention); counters keep their last value.
      assertThat(registry.get("aep.client.buffer.messages").gauge().value()).isNaN();
      assertThat(sent(registry)).isEqualTo(1);
    }
  }
}
