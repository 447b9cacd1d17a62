package dev.aepclient.kafka;

import static dev.aepclient.internal.util.Preconditions.requireDuration;

import dev.aepclient.AepStreamingClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards Kafka topics to AEP in a poll loop it owns, built on {@link AepKafkaBridge} (same guarantees):
 *
 * <pre>{@code
 * AepKafkaForwarder<String, String> forwarder = AepKafkaForwarder.builder(consumer, client)
 *     .topics("events")
 *     .deadLetterHandler(KafkaDeadLetterHandler.to(producer, "events.dlq"))
 *     .build()
 *     .start();                       // or run() on a thread of yours
 * ...
 * forwarder.close();                  // from any thread
 * }</pre>
 *
 * <p>The forwarder takes the consumer over: it subscribes it, polls it, and closes it when the loop ends, after
 * waiting (up to the close timeout) for records in flight and committing what is settled. It does not close the
 * {@link AepStreamingClient}, which may serve others. While AEP is unavailable it waits, {@link ForwarderState#DEGRADED}
 * (see {@link AepKafkaBridge}). The loop ends on {@link #close()}, or on a forwarding failure
 * ({@link AepForwardingException}: a rejection without dead-letter handler, a mapper bug, a failing dead-letter
 * handler, AEP unavailable past {@code stopAfter}, …), in which case the unsettled offsets stay uncommitted and a
 * restart sends them again. A record the consumer cannot deserialize is dead-lettered with its raw bytes.
 *
 * <p>Thread-safe: {@code close}, {@code awaitTermination}, {@code failure}, {@code state}, {@code health} and
 * {@code metrics} may be called from any thread.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
public final class AepKafkaForwarder<K, V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AepKafkaForwarder.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final Duration BACKED_UP_WAIT = Duration.ofMillis(10);

  private final Consumer<K, V> consumer;
  private final AepKafkaBridge<K, V> bridge;
  private final List<String> topics;
  private final Pattern pattern;
  private final Duration pollTimeout;
  private final Duration closeTimeout;
  // Who claimed the loop, in one step: the thread start() made (so close() knows at once whom to wait for), RUN_CLAIM
  // for run(), CLOSE_CLAIM for close() before either; null while unclaimed.
  private static final Object RUN_CLAIM = new Object();
  private static final Object CLOSE_CLAIM = new Object();
  private final AtomicReference<Object> claim = new AtomicReference<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private AepKafkaForwarder(Builder<K, V> b) {
    this.consumer = b.consumer;
    this.bridge = b.bridge.build();
    this.topics = b.topics;
    this.pattern = b.pattern;
    this.pollTimeout = b.pollTimeout;
    this.closeTimeout = b.closeTimeout;
  }

  /**
   * A builder over your consumer, which needs a {@code group.id} and {@code enable.auto.commit=false} ({@code build()}
   * refuses one that commits by itself).
   */
  public static <K, V> Builder<K, V> builder(Consumer<K, V> consumer, AepStreamingClient client) {
    return new Builder<>(consumer, client);
  }

  /**
   * A builder that builds the consumer itself from {@code consumerProperties} (your TLS/SASL/MSK IAM settings and
   * {@code group.id}), with {@code enable.auto.commit=false} set for you; the properties are copied, not changed.
   *
   * @throws IllegalArgumentException if the properties set {@code enable.auto.commit=true} or lack {@code group.id}
   * @throws org.apache.kafka.common.KafkaException if Kafka refuses the properties
   */
  public static <K, V> Builder<K, V> builder(Properties consumerProperties, Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer, AepStreamingClient client) {
    Objects.requireNonNull(consumerProperties, "consumerProperties");
    Properties props = new Properties();
    props.putAll(consumerProperties);
    Object autoCommit = props.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString().trim())) {
      throw new IllegalArgumentException("enable.auto.commit=true would commit records before they reach AEP (a"
          + " crash would lose them); remove it or set it to false: the forwarder commits");
    }
    Object groupId = props.get(ConsumerConfig.GROUP_ID_CONFIG);
    if (groupId == null || groupId.toString().isBlank()) {
      throw new IllegalArgumentException("group.id must be set in the consumer properties: the forwarder commits"
          + " the group's offsets");
    }
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new Builder<>(new KafkaConsumer<>(props, Objects.requireNonNull(keyDeserializer, "keyDeserializer"),
        Objects.requireNonNull(valueDeserializer, "valueDeserializer")), client);
  }

  /**
   * Runs the poll loop on the calling thread until {@link #close()} is called from another thread, then drains,
   * commits and closes the consumer.
   *
   * @throws AepForwardingException if forwarding had to stop (after the final commit of what was safe)
   * @throws IllegalStateException if the forwarder already ran, runs, or was closed
   */
  public void run() {
    claimTheLoop(RUN_CLAIM);
    runClaimed();
  }

  /**
   * Runs the loop on a new daemon thread named {@code aep-kafka-forwarder-N}; a failure is kept for
   * {@link #failure()}.
   *
   * @return this forwarder
   * @throws IllegalStateException if the forwarder already ran, runs, or was closed
   */
  public AepKafkaForwarder<K, V> start() {
    Thread thread = new Thread(() -> {
      try {
        runClaimed();
      } catch (RuntimeException e) {
        // kept in failure and logged by loop()
      }
    }, "aep-kafka-forwarder-" + THREAD_IDS.incrementAndGet());
    thread.setDaemon(true);
    claimTheLoop(thread);
    thread.start();
    return this;
  }

  private void claimTheLoop(Object by) {
    if (!claim.compareAndSet(null, by)) {
      throw new IllegalStateException(claim.get() == CLOSE_CLAIM ? "the forwarder was closed before it ran"
          : "a forwarder runs once; build a new one (with a new consumer) to restart");
    }
  }

  private void runClaimed() {
    try {
      loop();
    } finally {
      finished.countDown();
    }
    Throwable e = failure.get();
    if (e instanceof AepForwardingException forwarding) {
      throw forwarding;
    } else if (e instanceof RuntimeException runtime) {
      throw runtime;
    } else if (e != null) {
      throw new AepForwardingException("the forwarder stopped: " + e, e);
    }
  }

  private void loop() {
    try {
      if (pattern != null) {
        consumer.subscribe(pattern, bridge.rebalanceListener());
      } else {
        consumer.subscribe(topics, bridge.rebalanceListener());
      }
      log.info("forwarding {} to AEP", pattern != null ? pattern : topics);
      while (!closing.get()) {
        Duration timeout = pollTimeout;
        if (bridge.isBackedUp()) {
          // Paused or waiting for buffer space: a long poll would sit idle while the client drains. Run again as
          // soon as a record settles instead (and poll without waiting, to keep heartbeats and commit callbacks).
          bridge.awaitProgress(BACKED_UP_WAIT);
          timeout = Duration.ZERO;
        }
        try {
          bridge.forward(consumer.poll(timeout));
        } catch (RecordDeserializationException e) {
          bridge.skipUndeserializable(e);
        }
        bridge.commitReady();
      }
    } catch (WakeupException e) {
      if (!closing.get()) {
        failure.compareAndSet(null, e);
      }
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
      log.error("forwarding stopped: {}", e.toString());
    }
    shutDown();
  }

  /**
   * The one way the forwarder ends, after its loop or when closed before it ran: waits for what is in flight,
   * commits the settled prefix, closes the consumer and stops the bridge; never throws.
   */
  private void shutDown() {
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    bridge.closingBy(deadline);
    // After a failure too: what is delivered meanwhile is committed, and not sent again after a restart.
    if (!bridge.awaitInFlight(closeTimeout)) {
      log.warn("records still in flight after {}; their offsets stay uncommitted and will be sent again",
          closeTimeout);
    }
    try {
      commitFinal(deadline);
    } catch (RuntimeException e) {
      log.warn("final commit failed; the next owner starts from the last commit: {}", e.toString());
    }
    try {
      closeConsumer(remaining(deadline));
    } catch (RuntimeException e) {
      log.warn("closing the consumer failed: {}", e.toString());
    }
    if (failure.get() == null) {
      bridge.failure().ifPresent(failure::set);
    }
    bridge.stop(failure.get());
    log.info("forwarder stopped: {}", bridge.metrics());
  }

  private void commitFinal(long deadlineNanos) {
    try {
      bridge.commitReadySync(remaining(deadlineNanos));
    } catch (WakeupException e) {
      // close() woke the consumer while the loop was not inside poll: the wake-up fires at the next blocking call,
      // this one, and is cleared by firing. The commit itself was not attempted; attempt it now.
      bridge.commitReadySync(remaining(deadlineNanos));
    }
  }

  // close(Duration) is deprecated in kafka-clients 4.1 for close(CloseOptions), which 3.x clients lack (the module
  // also runs on 3.9: the kafka-3 build profile). close(Duration) exists on both and does the same here: leave the
  // group (or not, for a static member, as configured), within the timeout.
  @SuppressWarnings("deprecation")
  private void closeConsumer(Duration timeout) {
    consumer.close(timeout);
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), deadlineNanos - System.nanoTime()));
  }

  /**
   * Stops the loop (waking the consumer), and when the loop runs on the forwarder's own thread (or another close()
   * is shutting down a forwarder that never ran), waits for it to end (up to the close timeout plus 10 s). Called
   * from a {@link StateListener} or a {@link DeadLetterHandler}, it only stops the loop, without waiting: the loop
   * may be waiting for that very call. A forwarder that never ran closes its consumer here. Idempotent.
   */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      if (claim.compareAndSet(null, CLOSE_CLAIM)) {
        try { // never ran: nothing is in flight, but the consumer is the forwarder's to close
          shutDown();
        } finally {
          finished.countDown();
        }
        return;
      }
      consumer.wakeup();
    }
    // From a state listener (possibly on a client thread in the middle of an outcome the loop waits for) or the
    // dead-letter handler (storing a letter the loop waits for): no waiting.
    // A close() that found another close() shutting down a forwarder that never ran waits for it too.
    Object by = claim.get();
    if ((by == CLOSE_CLAIM || (by instanceof Thread thread && thread != Thread.currentThread()))
        && !AepKafkaBridge.inCallback()) {
      awaitTermination(closeTimeout.plusSeconds(10));
    }
  }

  /**
   * Waits for the loop to end.
   *
   * @return true when it ended within {@code timeout}
   */
  public boolean awaitTermination(Duration timeout) {
    try {
      return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the loop has ended (closed or failed). */
  public boolean isTerminated() {
    return finished.getCount() == 0;
  }

  /** Why the loop stopped, if it stopped on an error. */
  public Optional<Throwable> failure() {
    Throwable e = failure.get();
    return e != null ? Optional.of(e) : bridge.failure();
  }

  /** A snapshot of the counters. Thread-safe. */
  public AepKafkaMetrics metrics() {
    return bridge.metrics();
  }

  /** The current state: RUNNING, DEGRADED (waiting for AEP) or STOPPED. Thread-safe. */
  public ForwarderState state() {
    return bridge.state();
  }

  /**
   * A snapshot for a service's probes: {@link ForwarderHealth#isReady()} for readiness (RUNNING),
   * {@link ForwarderHealth#isAlive()} for liveness (not STOPPED). Thread-safe.
   */
  public ForwarderHealth health() {
    return bridge.health();
  }

  @Override
  public String toString() {
    return "AepKafkaForwarder[" + (pattern != null ? pattern : topics) + "]";
  }

  /**
   * Configures an {@link AepKafkaForwarder}: topics or a pattern (one is required), plus the bridge's settings.
   * Defaults: poll timeout 100 ms, close timeout 30 s, and the {@link AepKafkaBridge.Builder} defaults. Not
   * thread-safe.
   */
  public static final class Builder<K, V> {
    private final Consumer<K, V> consumer;
    private final AepKafkaBridge.Builder<K, V> bridge;
    private List<String> topics;
    private Pattern pattern;
    private Duration pollTimeout = Duration.ofMillis(100);
    private Duration closeTimeout = Duration.ofSeconds(30);

    private Builder(Consumer<K, V> consumer, AepStreamingClient client) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.bridge = AepKafkaBridge.builder(consumer, client);
    }

    /** The topics to forward. */
    public Builder<K, V> topics(String... topics) {
      return topics(List.of(topics));
    }

    /** The topics to forward. */
    public Builder<K, V> topics(List<String> topics) {
      if (topics == null || topics.isEmpty() || topics.stream().anyMatch(t -> t == null || t.isBlank())) {
        throw new IllegalArgumentException("topics must be a non-empty list of topic names");
      }
      this.topics = List.copyOf(topics);
      this.pattern = null;
      return this;
    }

    /** Forward every topic matching {@code pattern}, as it appears. */
    public Builder<K, V> pattern(Pattern pattern) {
      this.pattern = Objects.requireNonNull(pattern, "pattern");
      this.topics = null;
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#mapper}. */
    public Builder<K, V> mapper(RecordMapper<K, V> mapper) {
      bridge.mapper(mapper);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#deadLetterHandler}. */
    public Builder<K, V> deadLetterHandler(DeadLetterHandler<K, V> handler) {
      bridge.deadLetterHandler(handler);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#revokeTimeout}. */
    public Builder<K, V> revokeTimeout(Duration timeout) {
      bridge.revokeTimeout(timeout);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#commitInterval}. */
    public Builder<K, V> commitInterval(Duration interval) {
      bridge.commitInterval(interval);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#router}. */
    public Builder<K, V> router(RecordRouter<K, V> router) {
      bridge.router(router);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#tombstones}. */
    public Builder<K, V> tombstones(TombstonePolicy policy) {
      bridge.tombstones(policy);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#maxUnsettledPerPartition}. */
    public Builder<K, V> maxUnsettledPerPartition(int records, long bytes) {
      bridge.maxUnsettledPerPartition(records, bytes);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#maxUnsettled}. */
    public Builder<K, V> maxUnsettled(int records, long bytes) {
      bridge.maxUnsettled(records, bytes);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#stopAfter}. */
    public Builder<K, V> stopAfter(Duration duration) {
      bridge.stopAfter(duration);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#outageBackoff}. */
    public Builder<K, V> outageBackoff(Duration min, Duration max) {
      bridge.outageBackoff(min, max);
      return this;
    }

    /** See {@link AepKafkaBridge.Builder#stateListener}; STOPPED comes when the loop ends. */
    public Builder<K, V> stateListener(StateListener listener) {
      bridge.stateListener(listener);
      return this;
    }

    /** How long one poll waits for records, 1 ms to 10 s; default 100 ms. */
    public Builder<K, V> pollTimeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("pollTimeout must be between 1 ms and 10 s, got " + timeout);
      }
      this.pollTimeout = timeout;
      return this;
    }

    /** How long closing waits for records in flight before the final commit, 0 to 10 min; default 30 s. */
    public Builder<K, V> closeTimeout(Duration timeout) {
      this.closeTimeout = requireDuration(timeout, Duration.ofMinutes(10), "closeTimeout");
      return this;
    }

    /**
     * Builds the forwarder; {@code run()} or {@code start()} starts it.
     *
     * @throws IllegalArgumentException when neither topics nor a pattern is set, or the consumer commits offsets by
     *     itself ({@code enable.auto.commit=true})
     */
    public AepKafkaForwarder<K, V> build() {
      if (topics == null && pattern == null) {
        throw new IllegalArgumentException("set the topics to forward with topics(...) or pattern(...)");
      }
      return new AepKafkaForwarder<>(this);
    }
  }
}
