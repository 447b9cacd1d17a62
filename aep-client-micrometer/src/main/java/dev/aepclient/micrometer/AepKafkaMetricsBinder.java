package dev.aepclient.micrometer;

import dev.aepclient.kafka.AepKafkaBridge;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Binds the counters of an {@link AepKafkaForwarder} or {@link AepKafkaBridge} to a {@link MeterRegistry}. The
 * client behind it is bound separately with {@link AepClientMetricsBinder} (a client may serve several forwarders).
 *
 * <table>
 *   <caption>Meters (each also carries the tags given to the factory)</caption>
 *   <tr><th>name</th><th>type</th><th>unit</th><th>tags</th></tr>
 *   <tr><td>{@code aep.kafka.records.polled}</td><td>counter</td><td>records</td><td></td></tr>
 *   <tr><td>{@code aep.kafka.records}</td><td>counter</td><td>records</td>
 *       <td>{@code outcome}: {@code delivered}, {@code dead_lettered}</td></tr>
 *   <tr><td>{@code aep.kafka.records.held}</td><td>gauge</td><td>records</td><td></td></tr>
 *   <tr><td>{@code aep.kafka.partitions.paused}</td><td>gauge</td><td>partitions</td><td></td></tr>
 *   <tr><td>{@code aep.kafka.consumer.lag}</td><td>gauge</td><td>records</td><td></td></tr>
 * </table>
 *
 * <p>{@code aep.kafka.consumer.lag} is the sum over the assigned partitions of the lag the consumer last reported;
 * Kafka's own consumer metrics ({@code records-lag} per partition) carry the detail.
 *
 * <p>The registry holds the forwarder or bridge weakly. Requires {@code aep-client-kafka} and {@code kafka-clients}
 * on the class path. Thread-safe.
 */
public final class AepKafkaMetricsBinder implements MeterBinder, AutoCloseable {
  /** The forwarder or bridge: the meters reference it weakly, as Micrometer's function meters do. */
  private final Object source;
  private final Function<Object, AepKafkaMetrics> read;
  private final Tags tags;
  /** What {@link #bindTo(MeterRegistry)} registered where, for {@link #close()}. */
  private final List<Map.Entry<MeterRegistry, Meter>> registered = new CopyOnWriteArrayList<>();

  private AepKafkaMetricsBinder(Object source, Function<Object, AepKafkaMetrics> read, Iterable<Tag> tags) {
    this.source = source;
    this.read = read;
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /**
   * A binder for a forwarder's counters, its meters tagged with {@code tags}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static AepKafkaMetricsBinder of(AepKafkaForwarder<?, ?> forwarder, Iterable<Tag> tags) {
    Objects.requireNonNull(forwarder, "forwarder");
    return new AepKafkaMetricsBinder(forwarder, f -> ((AepKafkaForwarder<?, ?>) f).metrics(), tags);
  }

  /**
   * A binder for a bridge's counters, its meters tagged with {@code tags}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static AepKafkaMetricsBinder of(AepKafkaBridge<?, ?> bridge, Iterable<Tag> tags) {
    Objects.requireNonNull(bridge, "bridge");
    return new AepKafkaMetricsBinder(bridge, b -> ((AepKafkaBridge<?, ?>) b).metrics(), tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "aep.kafka.records.polled", "Records handed to the forwarder by poll", Tags.empty(),
        AepKafkaMetrics::recordsPolled);
    counter(registry, "aep.kafka.records", "Records settled, by outcome", Tags.of("outcome", "delivered"),
        AepKafkaMetrics::recordsDelivered);
    counter(registry, "aep.kafka.records", "Records settled, by outcome", Tags.of("outcome", "dead_lettered"),
        AepKafkaMetrics::recordsDeadLettered);
    gauge(registry, "aep.kafka.records.held", "Records waiting for buffer space", "records",
        AepKafkaMetrics::recordsHeld);
    gauge(registry, "aep.kafka.partitions.paused", "Partitions paused because the client's buffer is full",
        "partitions", m -> m.pausedPartitions().size());
    gauge(registry, "aep.kafka.consumer.lag", "Consumer lag summed over the assigned partitions", "records",
        m -> m.lag().values().stream().mapToLong(Long::longValue).sum());
  }

  private void counter(MeterRegistry registry, String name, String description, Tags extra,
      ToDoubleFunction<AepKafkaMetrics> value) {
    remember(registry, FunctionCounter.builder(name, source, s -> value.applyAsDouble(read.apply(s)))
        .description(description).baseUnit("records").tags(tags).tags(extra).register(registry));
  }

  private void gauge(MeterRegistry registry, String name, String description, String unit,
      ToDoubleFunction<AepKafkaMetrics> value) {
    remember(registry, Gauge.builder(name, source, s -> value.applyAsDouble(read.apply(s)))
        .description(description).baseUnit(unit).tags(tags).register(registry));
  }

  /**
   * Removes the meters this binder registered from every registry it was bound to. Call it once the forwarder or
   * bridge is closed when another may be bound with the same tags: a registry hands back the existing meter for the
   * same name and tags, which would go on reading the old one. Idempotent.
   */
  @Override
  public void close() {
    for (Map.Entry<MeterRegistry, Meter> entry : registered) {
      entry.getKey().remove(entry.getValue());
    }
    registered.clear();
  }

  private void remember(MeterRegistry registry, Meter meter) {
    registered.add(Map.entry(registry, meter));
  }
}
