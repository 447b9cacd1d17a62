package dev.aepclient.micrometer;

import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepStreamingClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds an {@link AepStreamingClient}'s {@link AepStreamingClient#metrics() metrics} to a {@link MeterRegistry}:
 * function counters over the client's cumulative counts and gauges over its current state, read when the registry
 * publishes (nothing is recorded on the client's hot path).
 *
 * <table>
 *   <caption>Meters (each also carries the tags given to the constructor)</caption>
 *   <tr><th>name</th><th>type</th><th>unit</th><th>tags</th></tr>
 *   <tr><td>{@code aep.client.messages.sent}</td><td>counter</td><td>messages</td><td></td></tr>
 *   <tr><td>{@code aep.client.messages}</td><td>counter</td><td>messages</td>
 *       <td>{@code outcome}: {@code delivered}, {@code rejected}, {@code failed}</td></tr>
 *   <tr><td>{@code aep.client.batches}</td><td>counter</td><td>batches</td><td></td></tr>
 *   <tr><td>{@code aep.client.requests}</td><td>counter</td><td>requests</td><td></td></tr>
 *   <tr><td>{@code aep.client.requests.retried}</td><td>counter</td><td>requests</td><td></td></tr>
 *   <tr><td>{@code aep.client.requests.throttled}</td><td>counter</td><td>requests</td><td></td></tr>
 *   <tr><td>{@code aep.client.request.body}</td><td>counter</td><td>bytes</td><td></td></tr>
 *   <tr><td>{@code aep.client.requests.in.flight}</td><td>gauge</td><td>requests</td><td></td></tr>
 *   <tr><td>{@code aep.client.requests.in.flight.limit}</td><td>gauge</td><td>requests</td><td></td></tr>
 *   <tr><td>{@code aep.client.buffer.messages}</td><td>gauge</td><td>messages</td><td></td></tr>
 *   <tr><td>{@code aep.client.buffer.used}</td><td>gauge</td><td>bytes</td><td></td></tr>
 *   <tr><td>{@code aep.client.latency}</td><td>time gauge</td><td>seconds</td>
 *       <td>{@code phi}: {@code 0.5}, {@code 0.99}</td></tr>
 *   <tr><td>{@code aep.client.request.duration}</td><td>function timer</td><td>seconds</td><td></td></tr>
 *   <tr><td>{@code aep.client.request.duration.percentile}</td><td>time gauge</td><td>seconds</td>
 *       <td>{@code phi}: {@code 0.5}, {@code 0.99}</td></tr>
 * </table>
 *
 * <p>{@code aep.client.messages} leaves out {@code sent} on purpose: summed over {@code outcome} it counts settled
 * messages; {@code sent - sum(outcome)} is what is still buffered. {@code aep.client.latency} is the client's own
 * send-to-outcome histogram since it was built (not a sliding window); for a {@link io.micrometer.core.instrument.Timer}
 * with windowed percentiles and SLO buckets wrap the client in {@link TimedAepStreamingClient}. Percentiles carry
 * the tag {@code phi}, as Micrometer's own published percentiles do. {@code aep.client.request.duration} is one HTTP
 * attempt, from its start to its answer read or its failure (count and total time; its percentiles, over the
 * client's life, are {@code aep.client.request.duration.percentile}).
 *
 * <p>The registry holds the client weakly (as Micrometer's function meters do): a client that is no longer
 * referenced elsewhere stops being reported. Thread-safe; {@link #bindTo(MeterRegistry)} may be called for several
 * registries.
 */
public final class AepClientMetricsBinder implements MeterBinder, AutoCloseable {
  private final AepStreamingClient client;
  private final Tags tags;
  /** What {@link #bindTo(MeterRegistry)} registered where, for {@link #close()}. */
  private final List<Map.Entry<MeterRegistry, Meter>> registered = new CopyOnWriteArrayList<>();

  /**
   * A binder for {@code client}, whose meters carry {@code tags} (e.g. {@code client=orders} when an application
   * runs several clients).
   *
   * @throws NullPointerException if an argument is null
   */
  public AepClientMetricsBinder(AepStreamingClient client, Iterable<Tag> tags) {
    this.client = Objects.requireNonNull(client, "client");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /** A binder for {@code client} without extra tags. */
  public AepClientMetricsBinder(AepStreamingClient client) {
    this(client, Tags.empty());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "aep.client.messages.sent", "Messages send returned a future for", "messages", Tags.empty(),
        AepClientMetrics::messagesSent);
    counter(registry, "aep.client.messages", "Messages settled, by outcome", "messages",
        Tags.of("outcome", "delivered"), AepClientMetrics::messagesDelivered);
    counter(registry, "aep.client.messages", "Messages settled, by outcome", "messages",
        Tags.of("outcome", "rejected"), AepClientMetrics::messagesRejected);
    counter(registry, "aep.client.messages", "Messages settled, by outcome", "messages",
        Tags.of("outcome", "failed"), AepClientMetrics::messagesFailed);
    counter(registry, "aep.client.batches", "Batches closed and handed to the sender", "batches", Tags.empty(),
        AepClientMetrics::batches);
    counter(registry, "aep.client.requests", "HTTP requests to the inlet, retries and bisection halves included",
        "requests", Tags.empty(), AepClientMetrics::requests);
    counter(registry, "aep.client.requests.retried", "Requests that retried an earlier failed attempt", "requests",
        Tags.empty(), AepClientMetrics::retriedRequests);
    counter(registry, "aep.client.requests.throttled", "Requests answered with 429", "requests", Tags.empty(),
        AepClientMetrics::throttledRequests);
    counter(registry, "aep.client.request.body", "Request body bytes posted (before gzip), retries included",
        BaseUnits.BYTES, Tags.empty(), AepClientMetrics::bytesSent);

    gauge(registry, "aep.client.requests.in.flight", "Requests waiting for an answer", "requests",
        m -> m.inFlightRequests());
    gauge(registry, "aep.client.requests.in.flight.limit",
        "Requests allowed in flight now (the adaptive concurrency limit, or the fixed one)", "requests",
        m -> m.inFlightLimit());
    gauge(registry, "aep.client.buffer.messages", "Messages accepted by send and not yet settled", "messages",
        m -> m.bufferedMessages());
    gauge(registry, "aep.client.buffer.used", "Bytes of unsettled messages, counted against maxBufferedBytes",
        BaseUnits.BYTES, m -> m.bufferedBytes());

    latency(registry, "0.5", m -> m.latencyP50().toNanos());
    latency(registry, "0.99", m -> m.latencyP99().toNanos());

    remember(registry, FunctionTimer.builder("aep.client.request.duration", client,
            c -> c.metrics().finishedRequests(), c -> c.metrics().requestDurationTotal().toNanos(),
            TimeUnit.NANOSECONDS)
        .description("One HTTP request to the inlet, from its start to its answer or failure")
        .tags(tags).register(registry));
    requestDuration(registry, "0.5", m -> m.requestDurationP50().toNanos());
    requestDuration(registry, "0.99", m -> m.requestDurationP99().toNanos());
  }

  private void counter(MeterRegistry registry, String name, String description, String unit, Tags extra,
      ToDoubleFunction<AepClientMetrics> value) {
    remember(registry, FunctionCounter.builder(name, client, c -> value.applyAsDouble(c.metrics()))
        .description(description).baseUnit(unit).tags(tags).tags(extra).register(registry));
  }

  private void gauge(MeterRegistry registry, String name, String description, String unit,
      ToDoubleFunction<AepClientMetrics> value) {
    remember(registry, Gauge.builder(name, client, c -> value.applyAsDouble(c.metrics()))
        .description(description).baseUnit(unit).tags(tags).register(registry));
  }

  private void latency(MeterRegistry registry, String quantile, ToDoubleFunction<AepClientMetrics> nanos) {
    remember(registry, TimeGauge.builder("aep.client.latency", client, TimeUnit.NANOSECONDS,
            c -> nanos.applyAsDouble(c.metrics()))
        .description("Time from send to the message's outcome, a percentile over the client's life")
        .tags(tags).tag("phi", quantile).register(registry));
  }

  private void requestDuration(MeterRegistry registry, String phi, ToDoubleFunction<AepClientMetrics> nanos) {
    remember(registry, TimeGauge.builder("aep.client.request.duration.percentile", client, TimeUnit.NANOSECONDS,
            c -> nanos.applyAsDouble(c.metrics()))
        .description("Duration of one HTTP request to the inlet, a percentile over the client's life")
        .tags(tags).tag("phi", phi).register(registry));
  }

  /**
   * Removes the meters this binder registered from every registry it was bound to. Call it once the client is
   * closed when another may be bound with the same tags: a registry hands back the existing meter for the same name
   * and tags, which would go on reading the old one. Idempotent.
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
