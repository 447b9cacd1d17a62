package dev.aepclient.kafka;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.kafka.internal.PartitionState;
import dev.aepclient.kafka.internal.TrackedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the records of a consumer loop you keep to AEP, at least once:
 *
 * <pre>{@code
 * AepKafkaBridge<String, String> bridge = AepKafkaBridge.builder(consumer, client)
 *     .deadLetterHandler(KafkaDeadLetterHandler.to(producer, "events.dlq"))
 *     .build();
 * consumer.subscribe(List.of("events"), bridge.rebalanceListener());
 * while (running) {
 *   bridge.forward(consumer.poll(Duration.ofMillis(100)));
 *   bridge.commitReady();
 * }
 * bridge.commitReadySync(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p><b>Guarantees.</b> An offset is committed only when its record and every earlier record of its partition are
 * settled: delivered to AEP, or rejected and stored by the {@link DeadLetterHandler}. Records that cannot be mapped
 * (not JSON, tombstones, too large for one request) take the dead-letter path too; without a handler any of these
 * stops forwarding with {@link AepForwardingException}, never a silent skip. If AEP stays unavailable past the
 * client's delivery timeout, forwarding stops the same way and those offsets stay uncommitted, so a restart sends
 * them again. Duplicates are possible after a crash or a rebalance (at most what was in flight), loss is not.
 *
 * <p><b>Backpressure.</b> The poll thread never blocks on AEP: when the client's buffer is full the bridge holds the
 * record, {@linkplain Consumer#pause pauses} its partition and keeps polling (so {@code max.poll.interval.ms} is never
 * exceeded), and resumes the partition once the held records fit.
 *
 * <p><b>Threads.</b> Call {@code forward}, {@code commitReady}, {@code commitReadySync} and the rebalance listener on
 * the consumer's poll thread only (a {@code KafkaConsumer} is single-threaded); {@link #metrics()} and
 * {@link #failure()} from any thread. The consumer must have {@code enable.auto.commit=false}: the bridge commits.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
public final class AepKafkaBridge<K, V> {
  private static final Logger log = LoggerFactory.getLogger(AepKafkaBridge.class);

  private final Consumer<K, V> consumer;
  private final AepStreamingClient client;
  private final RecordMapper<K, V> mapper;
  private final DeadLetterHandler<K, V> deadLetters;
  private final Duration revokeTimeout;
  private final long commitIntervalNanos;
  private final Map<TopicPartition, PartitionState<K, V>> partitions = new HashMap<>(); // poll thread only
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Object settleMonitor = new Object();
  private long lastCommitNanos = System.nanoTime();

  private final LongAdder polled = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private volatile long held;
  private final Map<TopicPartition, Long> committedOffsets = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
  private final Set<TopicPartition> paused = ConcurrentHashMap.newKeySet();

  private AepKafkaBridge(Builder<K, V> b) {
    this.consumer = b.consumer;
    this.client = b.client;
    this.mapper = b.mapper;
    this.deadLetters = b.deadLetters;
    this.revokeTimeout = b.revokeTimeout;
    this.commitIntervalNanos = b.commitInterval.toNanos();
  }

  /**
   * A builder for a bridge over {@code consumer} (yours: built with your TLS/SASL/MSK IAM settings and
   * {@code enable.auto.commit=false}) that sends through {@code client} (not closed by the bridge).
   */
  public static <K, V> Builder<K, V> builder(Consumer<K, V> consumer, AepStreamingClient client) {
    return new Builder<>(consumer, client);
  }

  /**
   * Sends the records to AEP (without waiting for AEP), holding and pausing partitions when the client's buffer is
   * full, and first retrying records held earlier.
   *
   * @throws AepForwardingException if forwarding had to stop (see the class description); stop the loop, call
   *     {@link #commitReadySync(Duration)} to keep what is safe, and restart later
   */
  public void forward(ConsumerRecords<K, V> records) {
    throwIfFailed();
    retryHeld();
    for (TopicPartition tp : records.partitions()) {
      PartitionState<K, V> state = state(tp);
      for (ConsumerRecord<K, V> record : records.records(tp)) {
        polled.increment();
        TrackedRecord<K, V> tracked = state.track(record);
        if (state.isHolding() || !submit(tracked)) {
          state.hold(tracked);
        }
      }
      if (state.isHolding() && !state.isPaused()) {
        consumer.pause(List.of(tp));
        state.paused(true);
        paused.add(tp);
        log.debug("client buffer full: pausing {}", tp);
      }
    }
    updateHeld();
  }

  /**
   * Retries held records and commits, asynchronously, every partition whose settled prefix advanced, at most once
   * per commit interval. Also records the consumer lag for {@link #metrics()}.
   *
   * @throws AepForwardingException if forwarding had to stop
   */
  public void commitReady() {
    throwIfFailed();
    retryHeld();
    long now = System.nanoTime();
    if (now - lastCommitNanos < commitIntervalNanos) {
      return;
    }
    lastCommitNanos = now;
    Map<TopicPartition, OffsetAndMetadata> offsets = offsetsToCommit(partitions.keySet());
    recordLag();
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets, (committed, error) -> {
      if (error != null) {
        log.warn("async commit failed (a later commit will cover it): {}", error.toString());
      } else {
        acknowledged(committed);
      }
    });
  }

  /**
   * Commits every settled prefix now and waits for the broker, for shutdown. Does not throw for an earlier
   * forwarding failure: what is settled is safe to commit either way.
   *
   * @throws org.apache.kafka.common.KafkaException as {@link Consumer#commitSync(Map, Duration)} does
   */
  public void commitReadySync(Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> offsets = offsetsToCommit(partitions.keySet());
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets, timeout);
      acknowledged(offsets);
    }
  }

  /**
   * Waits until every record handed to the client so far is settled, or {@code timeout} passes.
   *
   * @return true when all are settled
   */
  public boolean awaitInFlight(Duration timeout) {
    return awaitSettled(partitions.values(), System.nanoTime() + timeout.toNanos());
  }

  /**
   * The listener to pass to {@code consumer.subscribe(topics, listener)}: on revoke it waits (up to the revoke
   * timeout) for the revoked partitions' records in flight, commits their settled prefix synchronously and forgets
   * them; on loss it forgets them without committing.
   */
  public ConsumerRebalanceListener rebalanceListener() {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        List<PartitionState<K, V>> states = new ArrayList<>();
        for (TopicPartition tp : revoked) {
          PartitionState<K, V> state = partitions.get(tp);
          if (state != null) {
            states.add(state);
          }
        }
        if (!awaitSettled(states, System.nanoTime() + revokeTimeout.toNanos())) {
          log.warn("partitions {} revoked with records still in flight (waited up to {}); their new owner will"
              + " send those again", revoked, revokeTimeout);
        }
        try {
          Map<TopicPartition, OffsetAndMetadata> offsets = offsetsToCommit(revoked);
          if (!offsets.isEmpty()) {
            consumer.commitSync(offsets, revokeTimeout);
            acknowledged(offsets);
          }
        } catch (RuntimeException e) {
          log.warn("commit on revoke of {} failed; their new owner starts from the last commit: {}", revoked,
              e.toString());
        }
        forget(revoked);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        for (TopicPartition tp : assigned) {
          state(tp);
        }
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> lost) {
        forget(lost);
      }
    };
  }

  /** Why forwarding stopped, if it did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** A snapshot of the counters. Thread-safe. */
  public AepKafkaMetrics metrics() {
    return new AepKafkaMetrics(polled.sum(), delivered.sum(), deadLettered.sum(), held,
        Map.copyOf(committedOffsets), Map.copyOf(lag), Set.copyOf(paused), client.metrics());
  }

  // ---- internals (poll thread unless noted) ----

  private PartitionState<K, V> state(TopicPartition tp) {
    return partitions.computeIfAbsent(tp, k -> new PartitionState<>());
  }

  /** Hands a record to the client; false when the buffer is full (nothing sent). */
  private boolean submit(TrackedRecord<K, V> tracked) {
    ConsumerRecord<K, V> record = tracked.record();
    AepMessage message;
    try {
      message = mapper.map(record);
    } catch (RuntimeException e) {
      tracked.markSubmitted();
      deadLetter(tracked, 0, "not mappable to an AEP message: " + e.getMessage());
      return true;
    }
    Optional<CompletableFuture<Delivery>> sent;
    try {
      sent = client.trySend(message);
    } catch (IllegalArgumentException e) {
      tracked.markSubmitted();
      deadLetter(tracked, 0, e.getMessage());
      return true;
    }
    if (sent.isEmpty()) {
      return false;
    }
    tracked.markSubmitted();
    sent.get().whenComplete((delivery, error) -> onOutcome(tracked, error));
    return true;
  }

  /** On the client's I/O threads. */
  private void onOutcome(TrackedRecord<K, V> tracked, Throwable error) {
    if (error == null) {
      delivered.increment();
      settle(tracked);
    } else if (error instanceof AepRejectedException rejected) {
      deadLetter(tracked, rejected.statusCode(), rejected.reason());
    } else {
      String origin = tracked.record().topic() + "-" + tracked.record().partition() + "@" + tracked.offset();
      fail(new AepForwardingException("could not deliver " + origin + " to AEP: " + error.getMessage()
          + (error instanceof AepDeliveryException d ? " (" + d.reason() + ")" : "")
          + "; its offset is not committed and will be sent again after a restart", error));
    }
  }

  private void deadLetter(TrackedRecord<K, V> tracked, int status, String reason) {
    DeadLetter<K, V> letter = new DeadLetter<>(tracked.record(), status, reason);
    if (deadLetters == null) {
      fail(new AepForwardingException("record " + letter.origin() + " cannot be delivered ("
          + (status > 0 ? "AEP status " + status + ": " : "") + reason + ") and no dead-letter handler is"
          + " configured; set one with deadLetterHandler(...) to keep going past such records", null));
      return;
    }
    CompletionStage<Void> stored;
    try {
      stored = deadLetters.handle(letter);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    stored.whenComplete((ignored, error) -> {
      if (error == null) {
        deadLettered.increment();
        log.debug("dead-lettered {}: {} {}", letter.origin(), status, reason);
        settle(tracked);
      } else {
        fail(new AepForwardingException("the dead-letter handler failed for " + letter.origin() + ": " + error
            + "; its offset is not committed", error));
      }
    });
  }

  /** Any thread. */
  private void settle(TrackedRecord<K, V> tracked) {
    tracked.settle();
    synchronized (settleMonitor) {
      settleMonitor.notifyAll();
    }
  }

  /** Any thread: the first failure wins and stops forwarding. */
  private void fail(AepForwardingException e) {
    if (failure.compareAndSet(null, e)) {
      log.error("forwarding stops: {}", e.getMessage());
    }
    synchronized (settleMonitor) {
      settleMonitor.notifyAll();
    }
  }

  private void throwIfFailed() {
    Throwable e = failure.get();
    if (e instanceof AepForwardingException forwarding) {
      throw forwarding;
    }
  }

  private void retryHeld() {
    for (Map.Entry<TopicPartition, PartitionState<K, V>> entry : partitions.entrySet()) {
      PartitionState<K, V> state = entry.getValue();
      while (state.isHolding() && submit(state.held().peekFirst())) {
        state.held().pollFirst();
      }
      if (!state.isHolding() && state.isPaused()) {
        consumer.resume(List.of(entry.getKey()));
        state.paused(false);
        paused.remove(entry.getKey());
        log.debug("client buffer has room again: resuming {}", entry.getKey());
      }
    }
    updateHeld();
  }

  private void updateHeld() {
    long count = 0;
    for (PartitionState<K, V> state : partitions.values()) {
      count += state.heldCount();
    }
    held = count;
  }

  private Map<TopicPartition, OffsetAndMetadata> offsetsToCommit(Collection<TopicPartition> tps) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : tps) {
      PartitionState<K, V> state = partitions.get(tp);
      if (state != null) {
        long offset = state.toCommit();
        if (offset >= 0) {
          offsets.put(tp, new OffsetAndMetadata(offset));
        }
      }
    }
    return offsets;
  }

  private void acknowledged(Map<TopicPartition, OffsetAndMetadata> offsets) {
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      PartitionState<K, V> state = partitions.get(e.getKey());
      if (state != null) {
        state.committed(e.getValue().offset());
      }
      committedOffsets.merge(e.getKey(), e.getValue().offset(), Math::max);
    }
  }

  private void recordLag() {
    for (TopicPartition tp : partitions.keySet()) {
      try {
        OptionalLong current = consumer.currentLag(tp);
        if (current.isPresent()) {
          lag.put(tp, current.getAsLong());
        }
      } catch (RuntimeException e) {
        // not assigned any more, or the consumer does not know yet
      }
    }
  }

  private void forget(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      partitions.remove(tp);
      paused.remove(tp);
      lag.remove(tp);
    }
    updateHeld();
  }

  private boolean awaitSettled(Collection<PartitionState<K, V>> states, long deadlineNanos) {
    synchronized (settleMonitor) {
      while (true) {
        boolean all = true;
        for (PartitionState<K, V> state : states) {
          if (!state.submittedSettled()) {
            all = false;
            break;
          }
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (all || remaining <= 0 || failure.get() != null) {
          return all;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(settleMonitor, remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "AepKafkaBridge[" + client + ", partitions=" + partitions.keySet() + "]";
  }

  /**
   * Configures an {@link AepKafkaBridge}. Defaults: {@link RecordMapper#valueAsJson()}, no dead-letter handler
   * (a rejected or unmappable record stops forwarding), revoke timeout 30 s, commit interval 1 s. Not thread-safe.
   */
  public static final class Builder<K, V> {
    private final Consumer<K, V> consumer;
    private final AepStreamingClient client;
    private RecordMapper<K, V> mapper = RecordMapper.valueAsJson();
    private DeadLetterHandler<K, V> deadLetters;
    private Duration revokeTimeout = Duration.ofSeconds(30);
    private Duration commitInterval = Duration.ofSeconds(1);

    private Builder(Consumer<K, V> consumer, AepStreamingClient client) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.client = Objects.requireNonNull(client, "client");
    }

    /** How records become messages; default {@link RecordMapper#valueAsJson()}. */
    public Builder<K, V> mapper(RecordMapper<K, V> mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** Where rejected and unmappable records go; default none (they stop forwarding). */
    public Builder<K, V> deadLetterHandler(DeadLetterHandler<K, V> handler) {
      this.deadLetters = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * How long a revoke waits for the revoked partitions' records in flight before committing what settled; keep it
     * below {@code max.poll.interval.ms}. 0 to 10 min; default 30 s.
     */
    public Builder<K, V> revokeTimeout(Duration timeout) {
      this.revokeTimeout = requireDuration(timeout, Duration.ofMinutes(10), "revokeTimeout");
      return this;
    }

    /** The least time between two asynchronous commits of {@link #commitReady()}, 0 to 1 min; default 1 s. */
    public Builder<K, V> commitInterval(Duration interval) {
      this.commitInterval = requireDuration(interval, Duration.ofMinutes(1), "commitInterval");
      return this;
    }

    /** The bridge; subscribe with its {@link AepKafkaBridge#rebalanceListener()} before the first poll. */
    public AepKafkaBridge<K, V> build() {
      return new AepKafkaBridge<>(this);
    }

    static Duration requireDuration(Duration value, Duration max, String what) {
      if (value == null || value.isNegative() || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be between 0 and " + max + ", got " + value);
      }
      return value;
    }
  }
}
