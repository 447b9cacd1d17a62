package dev.aepclient.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.AepSimulatorExtension;
import dev.aepclient.testkit.Fault;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How a user tests their own AEP code: AepSimulator from aep-client-testkit, as a JUnit 5 extension. */
class SimulatorInAJUnitTest {
  @RegisterExtension
  static final AepSimulatorExtension aep = new AepSimulatorExtension(AepSimulator.builder().idPointer("/id"));

  @Test
  void myServiceSendsItsEvents() throws Exception {
    AepSimulator simulator = aep.simulator();
    simulator.rejectWhen(m -> !m.has("type"), 400, "XDM header missing");
    simulator.enqueueFaults(Fault.status(503)); // the first request fails; the client retries

    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(simulator.inletUrl()).build()) {
      CompletableFuture<?> ok = client.send(AepMessage.of("{\"id\":\"1\",\"type\":\"signup\"}"));
      CompletableFuture<?> bad = client.send(AepMessage.of("{\"id\":\"2\"}"));
      ok.get(10, TimeUnit.SECONDS);
      assertThat(bad).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
          .havingCause().isInstanceOf(AepRejectedException.class);
    }
    assertThat(simulator.timesAccepted("1")).isEqualTo(1);
    assertThat(simulator.requestsByStatus()).containsEntry(503, 1L);
  }
}
