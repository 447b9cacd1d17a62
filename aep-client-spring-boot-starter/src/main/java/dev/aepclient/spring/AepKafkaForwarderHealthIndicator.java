package dev.aepclient.spring;

import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The forwarder's health: {@code UP} while its loop runs; {@code DOWN} with the error once it stopped on a failure
 * (AEP unavailable past the delivery timeout, a rejection without a dead-letter topic: the unsettled offsets stay
 * uncommitted, a restart sends them again); {@code OUT_OF_SERVICE} before it started and after it was stopped. Details:
 * records polled, delivered, dead-lettered, held, paused partitions, total lag. Thread-safe.
 */
public class AepKafkaForwarderHealthIndicator implements HealthIndicator {
  private final AepKafkaForwarderLifecycle lifecycle;

  /**
   * An indicator for the forwarder of {@code lifecycle}.
   *
   * @throws NullPointerException if {@code lifecycle} is null
   */
  public AepKafkaForwarderHealthIndicator(AepKafkaForwarderLifecycle lifecycle) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
  }

  @Override
  public Health health() {
    AepKafkaForwarder<?, ?> forwarder = lifecycle.forwarder();
    Optional<Throwable> failure = forwarder.failure();
    Health.Builder builder;
    if (failure.isPresent()) {
      builder = Health.down(failure.get());
    } else if (lifecycle.isRunning()) {
      builder = Health.up();
    } else {
      builder = Health.outOfService();
    }
    AepKafkaMetrics m = forwarder.metrics();
    return builder
        .withDetail("polled", m.recordsPolled())
        .withDetail("delivered", m.recordsDelivered())
        .withDetail("deadLettered", m.recordsDeadLettered())
        .withDetail("held", m.recordsHeld())
        .withDetail("pausedPartitions", m.pausedPartitions().size())
        .withDetail("lag", m.lag().values().stream().mapToLong(Long::longValue).sum())
        .build();
  }
}
