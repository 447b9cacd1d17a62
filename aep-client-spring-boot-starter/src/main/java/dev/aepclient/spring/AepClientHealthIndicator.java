package dev.aepclient.spring;

import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepStreamingClient;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The client's health: {@code UP} with its counters as details. The client has no failed state of its own (it retries
 * until each message's delivery timeout and reports every outcome to its future), so the indicator stays {@code UP};
 * watch {@code failed} and {@code bufferedBytes} (or the {@code aep.client.*} meters) for trouble. Thread-safe.
 */
public class AepClientHealthIndicator implements HealthIndicator {
  private final AepStreamingClient client;

  /**
   * An indicator for {@code client}.
   *
   * @throws NullPointerException if {@code client} is null
   */
  public AepClientHealthIndicator(AepStreamingClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public Health health() {
    AepClientMetrics m = client.metrics();
    return Health.up()
        .withDetail("sent", m.messagesSent())
        .withDetail("delivered", m.messagesDelivered())
        .withDetail("rejected", m.messagesRejected())
        .withDetail("failed", m.messagesFailed())
        .withDetail("bufferedMessages", m.bufferedMessages())
        .withDetail("bufferedBytes", m.bufferedBytes())
        .withDetail("inFlightRequests", m.inFlightRequests())
        .withDetail("throttledRequests", m.throttledRequests())
        .build();
  }
}
