package dev.aepclient.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimedAepStreamingClientTest {

  @Test
  void timesEveryMessageFromSendToItsOutcomeByOutcome() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AepSimulator aep = AepSimulator.start()) {
      aep.rejectWhen(m -> m.path("bad").asBoolean(), 400, "bad record");
      AepStreamingClient plain = AepStreamingClient.builder().inletUrl(aep.inletUrl()).linger(Duration.ofMillis(5))
          .build();
      try (TimedAepStreamingClient client = new TimedAepStreamingClient(plain, registry, Tags.of("app", "t"))) {
        for (int n = 0; n < 100; n++) {
          var unused = client.send(AepMessage.of("{\"n\":" + n + ",\"bad\":" + (n % 4 == 0) + "}"));
        }
        CompletableFuture<?> viaTrySend = client.trySend(AepMessage.of("{\"n\":100}")).orElseThrow();
        client.flush();
        assertThat(viaTrySend).isCompleted();

        Timer delivered = registry.get(TimedAepStreamingClient.TIMER_NAME).tags("outcome", "delivered", "app", "t")
            .timer();
        Timer rejected = registry.get(TimedAepStreamingClient.TIMER_NAME).tags("outcome", "rejected").timer();
        Timer failed = registry.get(TimedAepStreamingClient.TIMER_NAME).tags("outcome", "failed").timer();
        // Each timer stops in its own completion stage, which may run just after flush() saw the message settled.
        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.count() + rejected.count() == 101);
        assertThat(delivered.count()).isEqualTo(aep.acceptedCount()).isEqualTo(76);
        assertThat(rejected.count()).isEqualTo(aep.rejectedCount()).isEqualTo(25);
        assertThat(failed.count()).isZero();
        assertThat(delivered.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(Arrays.stream(delivered.takeSnapshot().percentileValues()).map(ValueAtPercentile::percentile))
            .containsExactly(0.5, 0.95, 0.99);
        assertThat(client.metrics().messagesSent()).isEqualTo(101);
      }
      assertThat(plain.send(AepMessage.of("{}"))).isCompletedExceptionally(); // close() reached the wrapped client
    }
  }

  @Test
  void messagesFailedByCloseAreTimedAsFailed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TimedAepStreamingClient client = new TimedAepStreamingClient(
        AepStreamingClient.builder().inletUrl("http://127.0.0.1:9/collection/x").linger(Duration.ofMillis(5))
            .connectTimeout(Duration.ofMillis(200)).build(), registry, Tags.empty());
    client.close();
    CompletableFuture<?> afterClose = client.send(AepMessage.of("{}"));
    assertThat(afterClose).isCompletedExceptionally();
    assertThat(registry.get(TimedAepStreamingClient.TIMER_NAME).tags("outcome", "failed").timer().count())
        .isEqualTo(1);
  }
}
