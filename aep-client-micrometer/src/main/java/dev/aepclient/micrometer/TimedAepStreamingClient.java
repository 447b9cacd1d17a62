package dev.aepclient.micrometer;

import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An {@link AepStreamingClient} that times every message from {@code send} (or a successful {@code trySend}) to its
 * outcome in the {@link Timer} {@code aep.client.message.latency}, tagged {@code outcome} = {@code delivered},
 * {@code rejected} or {@code failed}, publishing the percentiles 0.5, 0.95 and 0.99 (change them, or add a
 * histogram or SLO buckets, with a {@link io.micrometer.core.instrument.config.MeterFilter}).
 *
 * <p>Everything else is the wrapped client's: the returned futures are the wrapped client's own (the timer is one
 * extra completion stage on each), and {@link #close()} closes the wrapped client. Costs one clock read and one
 * small allocation per message. Thread-safe as the wrapped client.
 */
public final class TimedAepStreamingClient implements AepStreamingClient {
  /** The timer's name. */
  public static final String TIMER_NAME = "aep.client.message.latency";

  private final AepStreamingClient delegate;
  private final MeterRegistry registry;
  private final Timer delivered;
  private final Timer rejected;
  private final Timer failed;

  /**
   * Wraps {@code delegate}, registering the timers in {@code registry} with {@code tags} added.
   *
   * @throws NullPointerException if an argument is null
   */
  public TimedAepStreamingClient(AepStreamingClient delegate, MeterRegistry registry, Iterable<Tag> tags) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.registry = Objects.requireNonNull(registry, "registry");
    Tags common = Tags.of(Objects.requireNonNull(tags, "tags"));
    this.delivered = timer(common, "delivered");
    this.rejected = timer(common, "rejected");
    this.failed = timer(common, "failed");
  }

  private Timer timer(Tags common, String outcome) {
    return Timer.builder(TIMER_NAME).description("Time from send to the message's outcome")
        .tags(common).tag("outcome", outcome).publishPercentiles(0.5, 0.95, 0.99).register(registry);
  }

  /** The client this one wraps. */
  public AepStreamingClient delegate() {
    return delegate;
  }

  @Override
  public CompletableFuture<Delivery> send(AepMessage message) {
    Timer.Sample sample = Timer.start(registry);
    return timed(delegate.send(message), sample);
  }

  @Override
  public Optional<CompletableFuture<Delivery>> trySend(AepMessage message) {
    Timer.Sample sample = Timer.start(registry);
    return delegate.trySend(message).map(future -> timed(future, sample));
  }

  private CompletableFuture<Delivery> timed(CompletableFuture<Delivery> future, Timer.Sample sample) {
    var unused = future.whenComplete((delivery, error) -> sample.stop(error == null ? delivered : timerFor(error)));
    return future;
  }

  private Timer timerFor(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof AepRejectedException ? rejected : failed;
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public boolean flush(Duration timeout) {
    return delegate.flush(timeout);
  }

  @Override
  public AepClientMetrics metrics() {
    return delegate.metrics();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public void close(Duration timeout) {
    delegate.close(timeout);
  }

  @Override
  public String toString() {
    return "Timed" + delegate;
  }
}
