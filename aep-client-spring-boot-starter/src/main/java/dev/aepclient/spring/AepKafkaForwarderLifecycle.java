package dev.aepclient.spring;

import dev.aepclient.kafka.AepKafkaForwarder;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs an {@link AepKafkaForwarder} with the application context: {@link #start()} starts its poll loop on its own
 * thread once the context is refreshed; {@link #stop()} closes it (waits for records in flight up to the close
 * timeout, commits the settled offsets, closes the consumer) before the client bean is closed. A forwarder runs once:
 * starting again after a stop is refused with a warning. Its phase is {@link #PHASE}, below Spring Kafka's listener
 * containers ({@code DEFAULT_PHASE - 100}): it starts before them and stops after them. Every lifecycle stops before
 * any bean is destroyed, so the client bean (closed when destroyed) outlives the forwarder's drain. {@link #stop()}
 * blocks until the forwarder ended, at most its close timeout plus 10 s ({@code spring.lifecycle.
 * timeout-per-shutdown-phase} does not shorten it). Thread-safe.
 */
public class AepKafkaForwarderLifecycle implements SmartLifecycle {
  /** The lifecycle phase: {@code SmartLifecycle.DEFAULT_PHASE - 200}. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 200;

  private static final Logger log = LoggerFactory.getLogger(AepKafkaForwarderLifecycle.class);

  private final AepKafkaForwarder<?, ?> forwarder;
  private final AtomicBoolean started = new AtomicBoolean();

  /**
   * A lifecycle for {@code forwarder}.
   *
   * @throws NullPointerException if {@code forwarder} is null
   */
  public AepKafkaForwarderLifecycle(AepKafkaForwarder<?, ?> forwarder) {
    this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
  }

  @Override
  public void start() {
    if (!started.compareAndSet(false, true)) {
      log.warn("the AEP Kafka forwarder runs once and cannot be started again after it stopped");
      return;
    }
    forwarder.start();
  }

  @Override
  public void stop() {
    if (started.get()) {
      forwarder.close();
    }
  }

  /** True from {@link #start()} until the forwarder's loop ends (stopped, or failed: see its {@code failure()}). */
  @Override
  public boolean isRunning() {
    return started.get() && !forwarder.isTerminated();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** The forwarder this lifecycle runs. */
  public AepKafkaForwarder<?, ?> forwarder() {
    return forwarder;
  }
}
