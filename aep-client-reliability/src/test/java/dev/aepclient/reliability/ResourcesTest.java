package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** After close() nothing of the client is left: no thread, no buffered byte, no connection. */
@Tag("reliability")
class ResourcesTest {

  private static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }

  private static long openFileDescriptors() {
    return ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getOpenFileDescriptorCount();
  }

  @Test
  void aHundredCreateCloseCyclesLeakNoThreadsOrConnections() throws Exception {
    try (AepSimulator aep = AepSimulator.start()) {
      // One cycle first, so lazily loaded classes and shared pools do not count as a leak.
      try (AepStreamingClient warm = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build()) {
        warm.send(AepMessage.of("{}")).get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> threads("aep-client-") == 0);
      long fdsBefore = openFileDescriptors();
      for (int i = 0; i < 100; i++) {
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).clientName("cycle-" + i)
            .build();
        client.send(AepMessage.of("{\"i\":" + i + "}")).get(10, TimeUnit.SECONDS);
        client.close();
        assertThat(client.metrics().bufferedBytes()).isZero();
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threads("aep-client-")).isZero());
      // Sockets the server closes go away once both sides are done; allow a little slack for the JVM's own files.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(openFileDescriptors()).isLessThanOrEqualTo(fdsBefore + 5));
      assertThat(aep.acceptedCount()).isEqualTo(101);
    }
  }

  @Test
  void closeWithWorkStuckInFlight_releasesEverything() throws Exception {
    try (AepSimulator aep = AepSimulator.start()) {
      aep.enqueueFaults(dev.aepclient.testkit.Fault.delay(Duration.ofSeconds(30)));
      AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).clientName("stuck").build();
      var future = client.send(AepMessage.of("{}"));
      await().atMost(Duration.ofSeconds(10)).until(() -> client.metrics().inFlightRequests() == 1);
      client.close(Duration.ofMillis(200));
      assertThat(future).isCompletedExceptionally();
      assertThat(client.metrics().bufferedBytes()).isZero();
      assertThat(client.metrics().inFlightRequests()).isZero();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threads("aep-client-stuck-")).isZero());
    }
  }
}
