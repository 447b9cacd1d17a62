package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import java.time.Duration;
import java.util.HashMap;
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
    assertThat(run.err()).contains("--aep-latency-ms must be 0 to 5000, got 60001");
  }

  @Test
  void latencyPastTheClientsRequestTimeout_isRefused() {
    // Held 30 s, every request would time out (the client's request timeout), be retried, and the run would end
    // in failures after the 2-minute delivery timeout: a demo of nothing but timeouts.
    assertOneLineUsageError(DemoRun.of(Map.of(), "--aep-latency-ms", "30000", "--records", "0"),
        "--aep-latency-ms must be 0 to 5000, got 30000");
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
  void withLatency_holdsEveryRequest() throws Exception {
    try (AepSimulator simulator = Demo.withLatency(AepSimulator.builder().idPointer("/id"), Duration.ofMillis(300))
            .start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(simulator.inletUrl())
            .linger(Duration.ZERO).build()) {
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        client.send(AepMessage.of("{\"id\":\"held-" + i + "\"}")).get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      }
      assertThat(simulator.acceptedIds()).containsOnlyKeys("held-0", "held-1", "held-2");
    }
  }

  /** A usage error: exit 2, one line on stderr, nothing on stdout (so nothing was started). */
  private static void assertOneLineUsageError(DemoRun run, String expected) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).as(run.toString()).startsWith("demo: ").contains(expected).endsWith("\n")
        .hasLineCount(1);
    assertThat(run.out()).as(run.toString()).isEmpty();
  }

  @Test
  void badOptionValues_areOneLineUsageErrors_beforeAnythingStarts() {
    assertOneLineUsageError(DemoRun.of(Map.of(), "--records", "abc"), "'abc' is not a long");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--recordz", "5"), "did you mean --records?");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--records", "-1"), "--records must be 0 or more, got -1");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--rate", "-5"), "--rate must be 0");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--partitions", "0"), "--partitions must be 1 to 1000, got 0");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--timeout", "0"), "--timeout must be 1 second or more");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--duration", "-1"), "--duration must be 1 second or more");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--batch-records", "0"), "--batch-records: maxBatchRecords");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--in-flight", "0"), "--in-flight: maxInFlightRequests");
    assertOneLineUsageError(DemoRun.of(Map.of(), "--linger-ms", "-1"), "--linger-ms: linger");
  }

  @Test
  void aepSettingsTheClientRefuses_areOneLineUsageErrors_beforeAnythingStarts() {
    Map<String, String> plainHttp = new HashMap<>(REAL_AEP);
    plainHttp.put("AEP_INLET_URL", "http://dcs.adobedc.net/collection/x");
    assertOneLineUsageError(DemoRun.of(plainHttp), "uses plain http");
    Map<String, String> notAUrl = new HashMap<>(REAL_AEP);
    notAUrl.put("AEP_INLET_URL", "dcs.adobedc.net/collection/x");
    assertOneLineUsageError(DemoRun.of(notAUrl), "is not an http(s) URL");
  }

  @Test
  void passwordInTheInletUrl_isRefused_andNeverPrinted() {
    Map<String, String> env = new HashMap<>(REAL_AEP);
    env.put("AEP_INLET_URL", "https://user:p@ss-hunter2@dcs.adobedc.net/collection/x");
    DemoRun run = DemoRun.of(env, "--records", "10");
    assertOneLineUsageError(run, "AEP_INLET_URL holds an '@'");
    assertThat(run.toString()).doesNotContain("hunter2").doesNotContain("not-a-secret");
  }

  @Test
  void kafkaSettingsTheClientRefuses_areOneLineUsageErrors_beforeAnythingStarts() {
    Map<String, String> env = new HashMap<>(REAL_AEP);
    env.put("KAFKA_BOOTSTRAP_SERVERS", "no-port-here");
    env.put("KAFKA_TOPIC", "events");
    assertOneLineUsageError(DemoRun.of(env, "--duration", "5"),
        "KAFKA_BOOTSTRAP_SERVERS or KAFKA_CLIENT_PROPERTIES: Failed to create new KafkaAdminClient: Invalid url in"
            + " bootstrap.servers: no-port-here");
  }
}
