package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Options that do not fit the environment are refused before anything starts; the simulated latency holds. */
class DemoOptionsTest {
  private static final Map<String, String> REAL_AEP = Map.of("AEP_INLET_URL",
      "https://dcs.adobedc.net/collection/x", "AEP_CLIENT_ID", "cid", "AEP_CLIENT_SECRET", "not-a-secret",
      "AEP_ORG_ID", "ORG@AdobeOrg");

  @Test
  void latencyOutsideItsRange_isRefused() {
    DemoRun run = DemoRun.of(Map.of(), "--aep-latency-ms", "60001");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--aep-latency-ms must be 0 to 60000, got 60001");
  }

  @Test
  void latencyWithTheRealAep_isRefused() {
    DemoRun run = DemoRun.of(REAL_AEP, "--aep-latency-ms", "100");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("does not apply to the real AEP");
  }

  @Test
  void simulateAepWithTheRealAep_isRefused() {
    DemoRun run = DemoRun.of(REAL_AEP, "--simulate-aep");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--simulate-aep asks for the in-process simulator");
  }

  @Test
  void partialEnvironment_isAUsageError() {
    DemoRun run = DemoRun.of(Map.of("AEP_INLET_URL", "https://dcs.adobedc.net/collection/x"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("missing: AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID");
  }

  @Test
  void help_printsTheOptionsAndExitsZero() {
    DemoRun run = DemoRun.of(Map.of(), "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--until-caught-up", "--simulate-aep", "--aep-latency-ms");
  }

  @Test
  void applyLatency_holdsEveryRequest() throws Exception {
    try (AepSimulator simulator = AepSimulator.builder().idPointer("/id").start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(simulator.inletUrl())
            .linger(Duration.ZERO).build()) {
      Demo.applyLatency(simulator, Duration.ofMillis(300));
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        client.send(AepMessage.of("{\"id\":\"held-" + i + "\"}")).get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      }
      assertThat(simulator.acceptedIds()).containsOnlyKeys("held-0", "held-1", "held-2");
    }
  }
}
