package dev.aepclient.kafka;

import static dev.aepclient.internal.util.Preconditions.requireDuration;
import static dev.aepclient.internal.util.Preconditions.requireRange;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.internal.util.RemoteText;
import dev.aepclient.kafka.internal.AutoCommitGuard;
import dev.aepclient.kafka.internal.PartitionState;
import dev.aepclient.kafka.internal.TrackedRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
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
 *   try {
 *     bridge.forward(consumer.poll(Duration.ofMillis(100)));
 *   } catch (RecordDeserializationException e) {
 *     bridge.skipUndeserializable(e);   // dead-letters its raw bytes and seeks past it
 *   }
 *   bridge.commitReady();
 * }
 * bridge.commitReadySync(Duration.ofSeconds(30));
 * bridge.close();
 * }</pre>
 *
 * <p><b>Guarantees.</b> An offset is committed only when its record and every earlier record of its partition are
 * settled: delivered to AEP, filtered out by the router, or handed to the {@link DeadLetterHandler} and stored by it.
 * Dead-lettered are: records AEP rejects, records the mapper refuses with {@link IllegalArgumentException}, records
 * too large for one request, tombstones (by default, see {@link TombstonePolicy}) and records the consumer cannot
 * deserialize. Without a handler any of these stops forwarding with {@link AepForwardingException}, never a silent
 * skip. Any other exception from the mapper is a bug: forwarding stops and the record is not committed. When AEP is
 * unavailable (the client gives up on a delivery), the bridge goes {@link ForwarderState#DEGRADED}: it pauses every
 * partition, keeps polling (the member stays in its group) and sends the undelivered records again with back-off
 * until AEP answers, committing nothing past them; {@link Builder#stopAfter(Duration)} turns that into a stop.
 * A configuration error is no outage: refused credentials ({@code AUTHENTICATION}) or a request AEP refuses whole
 * ({@code REQUEST_REFUSED}: unknown inlet, a redirect, a request-level 400) stop forwarding at once with
 * {@link AepForwardingException}, without committing the record.
 * Duplicates are possible after a crash or a lost partition (at most the unsettled records plus one commit round
 * trip), loss is not.
 *
 * <p><b>Bounds.</b> Unsettled records are capped per partition and in total (records and key+value bytes): beyond a
 * cap the partitions are paused and the consumer keeps polling, so {@code max.poll.interval.ms} is never exceeded.
 * A settled record keeps only its offset. The settled prefix is committed as soon as it advances, with at most one
 * asynchronous commit outstanding.
 *
 * <p><b>Threads.</b> Call {@code forward}, {@code skipUndeserializable}, {@code commitReady},
 * {@code commitReadySync} and the rebalance listener on the consumer's poll thread only (a {@code KafkaConsumer} is
 * single-threaded); {@link #metrics()}, {@link #health()}, {@link #state()} and {@link #failure()} from any thread.
 * Dead letters are handed to the handler on a thread of the bridge ({@code aep-kafka-dead-letters-N}), never on the
 * client's I/O threads nor the poll thread. The consumer must not commit by itself ({@code enable.auto.commit=false}):
 * {@link Builder#build()} refuses one that does.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
public final class AepKafkaBridge<K, V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AepKafkaBridge.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final Consumer<K, V> consumer;
  private final AepStreamingClient client;
  private final RecordRouter<K, V> router;
  private final DeadLetterHandler<K, V> deadLetters;
  private final TombstonePolicy tombstones;
  private final Duration revokeTimeout;
  private final long commitIntervalNanos;
  private final int maxUnsettledPerPartition;
  private final long maxUnsettledBytesPerPartition;
  private final int maxUnsettled;
  private final long maxUnsettledBytes;
  private final Duration stopAfter;
  private final long outageBackoffMinNanos;
  private final long outageBackoffMaxNanos;
  private final StateListener stateListener;
  private final boolean watchCommitCounter;
  private final long commitsBefore;
  private final ThreadPoolExecutor deadLetterThread;

  private final Map<TopicPartition, PartitionState<K, V>> partitions = new HashMap<>(); // poll thread only
  private final ConcurrentLinkedQueue<TrackedRecord<K, V>> failedRounds = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicReference<StateSnapshot> state =
      new AtomicReference<>(new StateSnapshot(ForwarderState.RUNNING, null, Instant.now(), 0));
  private final Object settleMonitor = new Object();
  private final java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong();
  private volatile int waiters; // written under settleMonitor
  private volatile long closeDeadlineNanos; // 0 until closingBy(): a revoke then waits no longer than that
  /** Set on a thread while it runs the state listener or the dead-letter handler: see {@link #inCallback()}. */
  private static final ThreadLocal<Boolean> IN_CALLBACK = new ThreadLocal<>();
  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long LAG_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private long lastCommitNanos;
  private long lastLagNanos;
  private boolean commitInFlight;
  private long commitsIssued; // poll thread
  private long nextOutageRetryNanos;
  private long outageBackoffNanos;

  private final LongAdder polled = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder filtered = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder commitFailures = new LongAdder();
  private final LongAdder commits = new LongAdder();
  private volatile long lastCommitEpochMillis;
  private volatile long waitingCount;
  private volatile long unsettledCount;
  private volatile long uncommittedCount;
  private volatile long unsettledBytes;
  private volatile long oldestUnsettledNanos = -1;
  private final Map<TopicPartition, Long> committedOffsets = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Integer> unsettledByPartition = new ConcurrentHashMap<>();
  private final Set<TopicPartition> paused = ConcurrentHashMap.newKeySet();

  private record StateSnapshot(ForwarderState state, Throwable cause, Instant since, long sinceNanos) {}

  private AepKafkaBridge(Builder<K, V> b, Optional<Boolean> autoCommit) {
    this.consumer = b.consumer;
    this.client = b.client;
    this.router = b.router;
    this.deadLetters = b.deadLetters;
    this.tombstones = b.tombstones;
    this.revokeTimeout = b.revokeTimeout;
    this.commitIntervalNanos = b.commitInterval.toNanos();
    this.maxUnsettledPerPartition = b.maxUnsettledPerPartition;
    this.maxUnsettledBytesPerPartition = b.maxUnsettledBytesPerPartition;
    this.maxUnsettled = b.maxUnsettled;
    this.maxUnsettledBytes = b.maxUnsettledBytes;
    this.stopAfter = b.stopAfter;
    this.outageBackoffMinNanos = b.outageBackoffMin.toNanos();
    this.outageBackoffMaxNanos = b.outageBackoffMax.toNanos();
    this.outageBackoffNanos = outageBackoffMinNanos;
    this.stateListener = b.stateListener;
    this.watchCommitCounter = autoCommit.isEmpty();
    this.commitsBefore = watchCommitCounter ? AutoCommitGuard.commitsMade(consumer) : -1;
    int id = THREAD_IDS.incrementAndGet();
    // One thread, started on the first dead letter and gone when idle. The queue is unbounded but never long: every
    // queued letter is an unsettled record, and those are capped (maxUnsettled).
    this.deadLetterThread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "aep-kafka-dead-letters-" + id);
      t.setDaemon(true);
      return t;
    });
    this.deadLetterThread.allowCoreThreadTimeOut(true);
  }

  /**
   * A builder for a bridge over {@code consumer} (yours: built with your TLS/SASL/MSK IAM settings and
   * {@code enable.auto.commit=false}) that sends through {@code client} (not closed by the bridge).
   */
  public static <K, V> Builder<K, V> builder(Consumer<K, V> consumer, AepStreamingClient client) {
    return new Builder<>(consumer, client);
  }

  /**
   * Sends the records to AEP (without waiting for AEP), first retrying records that were waiting. Records that find
   * the client's buffer full wait, and their partition is paused.
   *
   * @throws AepForwardingException if forwarding had to stop (see the class description); stop the loop, call
   *     {@link #commitReadySync(Duration)} to keep what is safe, and restart later
   */
  public void forward(ConsumerRecords<K, V> records) {
    throwIfFailed();
    pump();
    long now = System.nanoTime();
    for (TopicPartition tp : records.partitions()) {
      PartitionState<K, V> state = state(tp);
      for (ConsumerRecord<K, V> record : records.records(tp)) {
        polled.increment();
        TrackedRecord<K, V> tracked = state.track(record, now);
        if (state.isWaiting() || isDegraded() || !process(tracked)) {
          state.await(tracked);
        }
      }
    }
    throwIfFailed();
    updatePauses();
  }

  /**
   * For a {@link RecordDeserializationException} thrown by {@code poll}: hands the record's raw bytes to the
   * dead-letter handler (the exception carries them with kafka-clients 3.8 and later) and seeks past it, so the loop
   * goes on. Its offset is committed once the handler stored it. With an older client the raw bytes are not
   * available: consume {@code byte[]} and deserialize in your mapper instead.
   *
   * @throws AepForwardingException if forwarding had to stop (no dead-letter handler, for one)
   */
  public void skipUndeserializable(RecordDeserializationException e) {
    Objects.requireNonNull(e, "e");
    TopicPartition tp = e.topicPartition();
    byte[] key = null;
    byte[] value = null;
    long timestamp = -1;
    TimestampType timestampType = TimestampType.NO_TIMESTAMP_TYPE;
    RecordHeaders headers = new RecordHeaders();
    String origin = "";
    try { // present since kafka-clients 3.8 (KIP-1036)
      key = bytes(e.keyBuffer());
      value = bytes(e.valueBuffer());
      timestamp = e.timestamp();
      timestampType = e.timestampType();
      if (e.headers() != null) {
        e.headers().forEach(headers::add);
      }
      origin = e.origin() + " ";
    } catch (LinkageError older) {
      log.warn("kafka-clients older than 3.8: the raw bytes of {}@{} are not available to dead-letter", tp,
          e.offset());
    }
    ConsumerRecord<K, V> record = new ConsumerRecord<>(tp.topic(), tp.partition(), e.offset(), timestamp,
        timestampType, key == null ? -1 : key.length, value == null ? -1 : value.length, null, null, headers,
        Optional.empty());
    polled.increment();
    TrackedRecord<K, V> tracked = state(tp).track(record, System.nanoTime());
    tracked.beginDeadLetterRound();
    String cause = e.getCause() != null ? e.getCause().toString() : e.getMessage();
    deadLetter(tracked, 0, "the consumer could not deserialize the " + origin.toLowerCase(java.util.Locale.ROOT)
        + "of this record: " + RemoteText.sanitize(cause), key, value);
    consumer.seek(tp, e.offset() + 1);
    throwIfFailed();
    updatePauses();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  /**
   * Retries waiting records, commits (asynchronously) every partition whose settled prefix advanced, when no commit
   * is outstanding, and refreshes the metrics. Call it after every poll.
   *
   * @throws AepForwardingException if forwarding had to stop
   */
  public void commitReady() {
    throwIfFailed();
    pump();
    checkCommitCounter();
    maybeCommit();
    updatePauses();
    recordLag();
    throwIfFailed();
  }

  private void maybeCommit() {
    if (commitInFlight) {
      return;
    }
    long now = System.nanoTime();
    if (commitIntervalNanos > 0 && now - lastCommitNanos < commitIntervalNanos) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionState<K, V>> e : partitions.entrySet()) {
      long offset = e.getValue().pendingCommit();
      if (offset >= 0) {
        offsets.put(e.getKey(), new OffsetAndMetadata(offset));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    lastCommitNanos = now;
    offsets.forEach((tp, o) -> partitions.get(tp).requested(o.offset()));
    commitInFlight = true;
    commitsIssued++;
    consumer.commitAsync(offsets, (committed, error) -> { // on the poll thread, inside poll or commit
      commitInFlight = false;
      if (error != null) {
        commitFailures.increment();
        offsets.keySet().forEach(tp -> {
          PartitionState<K, V> s = partitions.get(tp);
          if (s != null) {
            s.requestFailed();
          }
        });
        if (error instanceof org.apache.kafka.common.errors.RebalanceInProgressException) {
          log.debug("async commit refused during a rebalance (the next one covers it)");
        } else {
          log.warn("async commit failed (the next one covers it): {}", RemoteText.sanitize(error.toString()));
        }
      } else {
        acknowledged(offsets);
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
    Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(partitions.keySet());
    if (!offsets.isEmpty()) {
      commitsIssued++;
      consumer.commitSync(offsets, timeout);
      acknowledged(offsets);
    }
  }

  /**
   * Waits until every record handed to the client so far is settled (or sent back after a failed delivery), or
   * {@code timeout} passes.
   *
   * @return true when all are settled
   */
  public boolean awaitInFlight(Duration timeout) {
    return awaitSettled(new ArrayList<>(partitions.values()), System.nanoTime() + timeout.toNanos(), false);
  }

  /**
   * Whether the loop should not block in {@code poll}: records wait for buffer space or partitions are paused (so a
   * long poll would return nothing while the client drains). Then call {@link #awaitProgress(Duration)} and
   * {@code poll(Duration.ZERO)} instead: the loop runs again as soon as a record settles. Poll thread.
   */
  public boolean isBackedUp() {
    return !paused.isEmpty() || waitingCount > 0;
  }

  /**
   * Waits until a record settles (or a delivery fails, or forwarding stops), at most {@code max}. Any thread.
   *
   * @return true when something happened, false when {@code max} passed
   */
  public boolean awaitProgress(Duration max) {
    long seen = progress.get();
    return awaitSettles(() -> progress.get() != seen || failure.get() != null, System.nanoTime() + max.toNanos());
  }

  /**
   * The listener to pass to {@code consumer.subscribe(topics, listener)}: on revoke it waits (up to the revoke
   * timeout) for the revoked partitions' records in flight, commits their settled prefix synchronously and forgets
   * them; on loss it forgets them without committing (another member owns them already).
   */
  public ConsumerRebalanceListener rebalanceListener() {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (revoked.isEmpty()) {
          return; // cooperative rebalancing calls this with nothing revoked
        }
        List<PartitionState<K, V>> states = new ArrayList<>();
        for (TopicPartition tp : revoked) {
          PartitionState<K, V> state = partitions.get(tp);
          if (state != null) {
            states.add(state);
          }
        }
        long start = System.nanoTime();
        long deadline = start + revokeTimeout.toNanos();
        long closing = closeDeadlineNanos;
        if (closing != 0 && closing - deadline < 0) {
          deadline = closing; // the consumer's close revokes: the forwarder already waited for these records
        }
        if (!awaitSettled(states, deadline, true)) {
          log.warn("partitions {} revoked with records still in flight (waited up to {}); their new owner will"
              + " send those again", revoked, Duration.ofMillis(Math.max(0, (deadline - start) / 1_000_000)));
        }
        try {
          Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(revoked);
          if (!offsets.isEmpty()) {
            commitsIssued++;
            consumer.commitSync(offsets, revokeTimeout);
            acknowledged(offsets);
          }
        } catch (RuntimeException e) {
          log.warn("commit on revoke of {} failed; their new owner starts from the last commit: {}", revoked,
              RemoteText.sanitize(e.toString()));
        }
        forget(revoked);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        for (TopicPartition tp : assigned) {
          state(tp);
        }
        updatePauses();
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> lost) {
        log.warn("partitions {} lost (their new owner may have them already): dropping their unsettled records"
            + " without a commit", lost);
        forget(lost);
      }
    };
  }

  /** Why forwarding stopped, if it did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** The current state. Thread-safe. */
  public ForwarderState state() {
    return state.get().state();
  }

  /** A snapshot for a readiness or liveness probe. Thread-safe. */
  public ForwarderHealth health() {
    StateSnapshot s = state.get();
    long oldest = oldestUnsettledNanos;
    return new ForwarderHealth(s.state(), Optional.ofNullable(s.cause()), s.since(), unsettledCount,
        oldest < 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, System.nanoTime() - oldest)));
  }

  /** A snapshot of the counters. Thread-safe. */
  public AepKafkaMetrics metrics() {
    long oldest = oldestUnsettledNanos;
    long last = lastCommitEpochMillis;
    return new AepKafkaMetrics(polled.sum(), delivered.sum(), deadLettered.sum(), waitingCount,
        Map.copyOf(committedOffsets), Map.copyOf(lag), Set.copyOf(paused), client.metrics(), filtered.sum(),
        skipped.sum(), unsettledCount, unsettledBytes,
        oldest < 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, System.nanoTime() - oldest)),
        Map.copyOf(unsettledByPartition), commits.sum(), commitFailures.sum(),
        last == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last)), state(), uncommittedCount);
  }

  /**
   * Marks the bridge stopped (the forwarder calls this when its loop ends) and lets the dead-letter thread end once
   * its queue is done. Does not close the consumer nor the client. Idempotent.
   */
  @Override
  public void close() {
    stop(failure.get());
  }

  /**
   * The forwarder is shutting down by {@code deadlineNanos} ({@link System#nanoTime()}): the revoke that closing the
   * consumer runs waits for records in flight no longer than that (the forwarder waited for them already).
   */
  void closingBy(long deadlineNanos) {
    closeDeadlineNanos = deadlineNanos == 0 ? 1 : deadlineNanos;
  }

  /**
   * Whether the calling thread is inside a {@link StateListener} call (on the poll thread or a client I/O thread in
   * the middle of an outcome) or a {@link DeadLetterHandler} call (storing a letter the loop may wait for): whatever
   * it waits for may be what that thread has to finish first.
   */
  static boolean inCallback() {
    return IN_CALLBACK.get() != null;
  }

  /** Closes with this cause (the forwarder's loop error, or null when closed). */
  void stop(Throwable cause) {
    transition(ForwarderState.STOPPED, cause);
    deadLetterThread.shutdown();
  }

  // ---- internals (poll thread unless noted) ----

  private PartitionState<K, V> state(TopicPartition tp) {
    return partitions.computeIfAbsent(tp, k -> new PartitionState<>());
  }

  private boolean isDegraded() {
    return state.get().state() == ForwarderState.DEGRADED;
  }

  /**
   * Hands a record's messages to the clients. False when a buffer was full: the record waits (the messages already
   * handed stay handed) and is continued later.
   */
  private boolean process(TrackedRecord<K, V> tracked) {
    if (tracked.isSettled()) {
      return true;
    }
    if (!tracked.isMapped()) {
      ConsumerRecord<K, V> record = tracked.record();
      if (record.value() == null) {
        switch (tombstones) {
          case SKIP -> {
            skipped.increment();
            tracked.settle();
          }
          case DEAD_LETTER -> {
            tracked.beginDeadLetterRound();
            deadLetter(tracked, 0, "the record has a null value (a tombstone); AEP needs a JSON object", null, null);
          }
          case FAIL -> fail(new AepForwardingException("record " + origin(record) + " is a tombstone (null value)"
              + " and the tombstone policy is FAIL; its offset is not committed", null));
        }
        return true;
      }
      List<RoutedMessage> messages;
      try {
        messages = router.route(record);
      } catch (IllegalArgumentException e) {
        tracked.beginDeadLetterRound();
        deadLetter(tracked, 0, "not mappable to an AEP message: " + e.getMessage(), null, null);
        return true;
      } catch (RuntimeException e) {
        fail(new AepForwardingException("the mapper threw " + e.getClass().getName() + " for record "
            + origin(record) + ": a bug in the mapper, not bad data (bad data is signalled with"
            + " IllegalArgumentException); forwarding stops and the record is not committed", e));
        return true;
      }
      if (messages == null || messages.isEmpty()) {
        filtered.increment();
        tracked.settle();
        return true;
      }
      tracked.mapped(messages);
      tracked.beginRound();
    } else if (!tracked.isHanding()) {
      tracked.beginRound(); // sent back after AEP was unavailable: every message again
    }
    for (Object next = tracked.nextMessage(); next != null; next = tracked.nextMessage()) {
      RoutedMessage routed = (RoutedMessage) next;
      AepStreamingClient target = routed.client() != null ? routed.client() : client;
      Optional<CompletableFuture<Delivery>> sent;
      try {
        sent = target.trySend(routed.message());
      } catch (IllegalArgumentException e) { // too large for one request: this message never reaches AEP
        tracked.handed();
        tracked.outcome(new TrackedRecord.Rejection(0, e.getMessage()), null);
        continue;
      }
      if (sent.isEmpty()) {
        return false;
      }
      tracked.handed();
      var unused = sent.get().whenComplete((delivery, error) -> onOutcome(tracked, error));
    }
    if (tracked.handingDone()) {
      finish(tracked);
    }
    return true;
  }

  /** On the client's I/O threads. */
  private void onOutcome(TrackedRecord<K, V> tracked, Throwable error) {
    boolean last;
    if (error == null) {
      recovered();
      last = tracked.outcome(null, null);
    } else if (error instanceof AepRejectedException rejected) {
      recovered();
      last = tracked.outcome(new TrackedRecord.Rejection(rejected.statusCode(), rejected.reason()), null);
    } else {
      if (error instanceof AepDeliveryException d && d.reason() == AepDeliveryException.Reason.CLOSED) {
        fail(new AepForwardingException("the AEP client was closed while the forwarder ran; unsettled offsets are"
            + " not committed and will be sent again after a restart", error));
      } else {
        outage(tracked, error);
      }
      last = tracked.outcome(null, error);
    }
    if (last) {
      finish(tracked);
    }
  }

  /** Any thread: every outcome of a round is in. */
  private void finish(TrackedRecord<K, V> tracked) {
    if (tracked.failure() != null) {
      tracked.roundFailed();
      failedRounds.add(tracked);
      signal();
    } else if (tracked.rejection() != null) {
      TrackedRecord.Rejection r = tracked.rejection();
      deadLetter(tracked, r.status(), r.reason(), null, null);
    } else {
      delivered.increment();
      tracked.settle();
      signal();
    }
  }

  /** Any thread: the client gave up on a delivery (AEP unavailable past the delivery timeout, auth, …). */
  private void outage(TrackedRecord<K, V> tracked, Throwable error) {
    ConsumerRecord<K, V> record = tracked.record();
    String where = record != null ? origin(record) : "a record";
    String detail = RemoteText.sanitize(error.getMessage())
        + (error instanceof AepDeliveryException d ? " (" + d.reason() + ")" : "");
    if (stopAfter != null && stopAfter.isZero()) {
      fail(new AepForwardingException("could not deliver " + where + " to AEP: " + detail
          + "; its offset is not committed and will be sent again after a restart", error));
      return;
    }
    if (isConfigurationError(error)) {
      // Refused credentials, an unknown inlet, a redirect: sending again cannot help, and waiting would hide it.
      fail(new AepForwardingException("AEP refused the client's requests: " + detail + "; fix the configuration"
          + " and restart: the offset of " + where + " is not committed and will be sent again", error));
      return;
    }
    StateSnapshot s = state.get();
    if (s.state() == ForwarderState.RUNNING) {
      if (transition(ForwarderState.DEGRADED, error)) {
        log.warn("AEP unavailable ({}): pausing every partition and sending again with back-off; nothing is"
            + " committed past {}", detail, where);
      }
    }
  }

  /** An authentication or whole-request refusal that is not a server error: configuration, not an outage. */
  private static boolean isConfigurationError(Throwable error) {
    if (!(error instanceof AepDeliveryException d)) {
      return false;
    }
    boolean refusal = d.reason() == AepDeliveryException.Reason.AUTHENTICATION
        || d.reason() == AepDeliveryException.Reason.REQUEST_REFUSED;
    return refusal && d.lastStatusCode().orElse(0) < 500;
  }

  /** Any thread: AEP answered. */
  private void recovered() {
    if (state.get().state() == ForwarderState.DEGRADED && transition(ForwarderState.RUNNING, null)) {
      log.info("AEP answers again: resuming");
    }
  }

  /** Changes the state unless it is STOPPED (final); tells the listener. Any thread. */
  private boolean transition(ForwarderState to, Throwable cause) {
    while (true) {
      StateSnapshot current = state.get();
      if (current.state() == ForwarderState.STOPPED || current.state() == to) {
        return false;
      }
      StateSnapshot next = new StateSnapshot(to, cause, Instant.now(), System.nanoTime());
      if (state.compareAndSet(current, next)) {
        if (stateListener != null) {
          Boolean outer = IN_CALLBACK.get();
          IN_CALLBACK.set(Boolean.TRUE);
          try {
            stateListener.onStateChange(to, cause);
          } catch (RuntimeException e) {
            log.warn("state listener threw (ignored): {}", e.toString());
          } finally {
            IN_CALLBACK.set(outer);
          }
        }
        return true;
      }
    }
  }

  private void deadLetter(TrackedRecord<K, V> tracked, int status, String reason, byte[] rawKey, byte[] rawValue) {
    ConsumerRecord<K, V> record = tracked.record();
    if (record == null) {
      return; // settled meanwhile
    }
    String text = RemoteText.sanitize(reason);
    DeadLetter<K, V> letter = new DeadLetter<>(record, status, text, rawKey, rawValue);
    if (deadLetters == null) {
      tracked.roundFailed(); // it will not settle: nobody waits for it
      fail(new AepForwardingException("record " + letter.origin() + " cannot be delivered ("
          + (status > 0 ? "AEP status " + status + ": " : "") + text + ") and no dead-letter handler is"
          + " configured; set one with deadLetterHandler(...) to keep going past such records", null));
      return;
    }
    try {
      deadLetterThread.execute(() -> {
        CompletionStage<Void> stored;
        IN_CALLBACK.set(Boolean.TRUE);
        try {
          stored = deadLetters.handle(letter);
        } catch (RuntimeException e) {
          stored = CompletableFuture.failedFuture(e);
        } finally {
          IN_CALLBACK.remove();
        }
        stored.whenComplete((ignored, error) -> {
          if (error == null) {
            deadLettered.increment();
            log.debug("dead-lettered {}: {} {}", letter.origin(), status, text);
            tracked.settle();
            signal();
          } else {
            tracked.roundFailed();
            fail(new AepForwardingException("the dead-letter handler failed for " + letter.origin() + ": "
                + RemoteText.sanitize(error.toString()) + "; its offset is not committed", error));
          }
        });
      });
    } catch (RejectedExecutionException e) {
      tracked.roundFailed();
      fail(new AepForwardingException("the bridge is closed: record " + letter.origin() + " was not dead-lettered"
          + " and its offset is not committed", e));
    }
  }

  private static String origin(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  private void signal() {
    progress.incrementAndGet();
    if (waiters == 0) {
      return; // nobody waits: skip the monitor (this runs once per settled record, on the client's I/O threads)
    }
    synchronized (settleMonitor) {
      settleMonitor.notifyAll();
    }
  }

  /** Any thread: the first failure wins and stops forwarding. */
  private void fail(AepForwardingException e) {
    if (failure.compareAndSet(null, e)) {
      log.error("forwarding stops: {}", e.getMessage());
      transition(ForwarderState.STOPPED, e);
    }
    signal();
  }

  private void throwIfFailed() {
    Throwable e = failure.get();
    if (e instanceof AepForwardingException forwarding) {
      throw forwarding;
    }
  }

  /** Puts failed rounds back in line, and hands waiting records to the client while it has room. */
  private void pump() {
    for (TrackedRecord<K, V> t; (t = failedRounds.poll()) != null; ) {
      PartitionState<K, V> owner = t.owner();
      if (!t.isSettled() && partitions.containsValue(owner)) { // not revoked meanwhile
        owner.await(t);
      }
    }
    long now = System.nanoTime();
    StateSnapshot s = state.get();
    if (s.state() == ForwarderState.DEGRADED) {
      if (stopAfter != null && now - s.sinceNanos() > stopAfter.toNanos()) {
        fail(new AepForwardingException("AEP unavailable for longer than stopAfter (" + stopAfter + "): "
            + RemoteText.sanitize(String.valueOf(s.cause())) + "; unsettled offsets are not committed and will be"
            + " sent again after a restart", s.cause()));
        return;
      }
      if (nothingToSendAgain()) {
        // A rebalance took away every record that waited out the outage: no delivery is left to show that AEP is
        // back, and every partition would stay paused for good. Resume; the next delivery tells.
        if (transition(ForwarderState.RUNNING, null)) {
          log.info("nothing left to send again after a rebalance: resuming to find out whether AEP is back");
        }
        outageBackoffNanos = outageBackoffMinNanos;
        nextOutageRetryNanos = 0;
        return;
      }
      if (now < nextOutageRetryNanos) {
        return; // wait for the back-off; the consumer keeps polling with every partition paused
      }
      nextOutageRetryNanos = now + outageBackoffNanos;
      outageBackoffNanos = Math.min(outageBackoffMaxNanos, outageBackoffNanos * 2);
    } else {
      outageBackoffNanos = outageBackoffMinNanos;
      nextOutageRetryNanos = 0;
    }
    for (PartitionState<K, V> state : partitions.values()) {
      while (state.isWaiting() && process(state.waiting().peekFirst())) {
        state.waiting().pollFirst();
      }
    }
  }

  /**
   * No failed round queued, no record waiting and none in flight: nothing would ever bring the bridge out of
   * DEGRADED. (A round failing right now may be between leaving the in-flight count and joining the queue; then
   * it is sent once more without back-off, and a failure makes the bridge DEGRADED again.)
   */
  private boolean nothingToSendAgain() {
    if (!failedRounds.isEmpty()) {
      return false;
    }
    for (PartitionState<K, V> state : partitions.values()) {
      if (state.isWaiting() || !state.submittedSettled()) {
        return false;
      }
    }
    return true;
  }

  /** Pauses partitions over a cap, waiting for room, or all while AEP is unavailable; resumes the others. */
  private void updatePauses() {
    long count = 0;
    long uncommitted = 0;
    long bytes = 0;
    long waiting = 0;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<TopicPartition, PartitionState<K, V>> e : partitions.entrySet()) {
      PartitionState<K, V> s = e.getValue();
      s.advance();
      count += s.unsettledCount();
      uncommitted += s.uncommittedCount();
      bytes += s.unsettledBytes();
      waiting += s.waitingCount();
      long o = s.oldestUnsettledNanos();
      if (o >= 0) {
        oldest = Math.min(oldest, o);
      }
      unsettledByPartition.put(e.getKey(), s.unsettledCount());
    }
    unsettledCount = count;
    uncommittedCount = uncommitted;
    unsettledBytes = bytes;
    waitingCount = waiting;
    oldestUnsettledNanos = oldest == Long.MAX_VALUE ? -1 : oldest;
    boolean all = isDegraded() || count >= maxUnsettled || bytes >= maxUnsettledBytes;
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (Map.Entry<TopicPartition, PartitionState<K, V>> e : partitions.entrySet()) {
      PartitionState<K, V> s = e.getValue();
      boolean want = all || s.isWaiting() || s.unsettledCount() >= maxUnsettledPerPartition
          || s.unsettledBytes() >= maxUnsettledBytesPerPartition;
      if (want != s.isPaused()) {
        s.paused(want);
        (want ? pause : resume).add(e.getKey());
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
      paused.addAll(pause);
      log.debug("pausing {}", pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
      paused.removeAll(resume);
      log.debug("resuming {}", resume);
    }
  }

  /**
   * For a consumer whose auto-commit flag could not be read: the consumer's commit counter running ahead of ours
   * means it commits by itself. Put the committed offsets back to the settled prefix and stop.
   */
  private void checkCommitCounter() {
    if (!watchCommitCounter || commitsBefore < 0) {
      return;
    }
    long made = AutoCommitGuard.commitsMade(consumer);
    if (made >= 0 && made - commitsBefore > commitsIssued) {
      Map<TopicPartition, OffsetAndMetadata> rewind = new HashMap<>();
      partitions.forEach((tp, s) -> {
        long safe = s.safeOffset();
        if (safe >= 0) {
          rewind.put(tp, new OffsetAndMetadata(safe));
        }
      });
      try {
        if (!rewind.isEmpty()) {
          // Positions back too: the consumer auto-commits its positions again when it is closed.
          rewind.forEach((tp, o) -> consumer.seek(tp, o.offset()));
          commitsIssued++;
          consumer.commitSync(rewind, revokeTimeout);
        }
      } catch (RuntimeException e) {
        log.warn("could not put the committed offsets back to the settled prefix: {}", e.toString());
      }
      fail(new AepForwardingException("the consumer commits offsets by itself (enable.auto.commit=true, Kafka's"
          + " default): it would commit records not yet delivered to AEP, and a crash would lose them. Set"
          + " enable.auto.commit=false on the consumer; the committed offsets were put back to what was delivered",
          null));
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> tps) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : tps) {
      PartitionState<K, V> state = partitions.get(tp);
      if (state != null) {
        long offset = state.uncommitted();
        if (offset >= 0) {
          offsets.put(tp, new OffsetAndMetadata(offset));
        }
      }
    }
    return offsets;
  }

  private void acknowledged(Map<TopicPartition, OffsetAndMetadata> offsets) {
    commits.increment();
    lastCommitEpochMillis = System.currentTimeMillis();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      PartitionState<K, V> state = partitions.get(e.getKey());
      if (state != null) {
        state.committed(e.getValue().offset());
        committedOffsets.merge(e.getKey(), e.getValue().offset(), Math::max);
      }
    }
  }

  /** Lag as AEP sees it: the end offset minus the committed one (what is polled and buffered counts as lag). */
  private void recordLag() {
    long now = System.nanoTime();
    if (now - lastLagNanos < LAG_REFRESH_NANOS) {
      return; // a gauge: ten refreshes a second are plenty, and position() is not free on every consumer
    }
    lastLagNanos = now;
    for (Map.Entry<TopicPartition, PartitionState<K, V>> e : partitions.entrySet()) {
      TopicPartition tp = e.getKey();
      try {
        OptionalLong behindPosition = consumer.currentLag(tp);
        if (behindPosition.isEmpty()) {
          continue;
        }
        long end = consumer.position(tp, Duration.ZERO) + behindPosition.getAsLong();
        long committed = e.getValue().committed();
        long from = committed >= 0 ? committed : e.getValue().safeOffset();
        if (from >= 0) {
          lag.put(tp, Math.max(0, end - from));
        }
      } catch (RuntimeException ex) {
        // not assigned any more, or the consumer does not know its position yet
      }
    }
  }

  private void forget(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      partitions.remove(tp);
      paused.remove(tp);
      lag.remove(tp);
      unsettledByPartition.remove(tp);
    }
    updatePauses();
  }

  private boolean awaitSettled(Collection<PartitionState<K, V>> states, long deadlineNanos, boolean untilFailure) {
    awaitSettles(() -> allSettled(states) || (untilFailure && failure.get() != null), deadlineNanos);
    return allSettled(states);
  }

  private static boolean allSettled(Collection<? extends PartitionState<?, ?>> states) {
    for (PartitionState<?, ?> state : states) {
      if (!state.submittedSettled()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits on the settle monitor until {@code done} holds or the deadline passes (or the thread is interrupted); any
   * thread. In slices: {@link #signal()} skips the monitor when it sees no waiter, so a settle racing with the start
   * of a wait is noticed at the next slice.
   *
   * @return whether {@code done} held
   */
  private boolean awaitSettles(java.util.function.BooleanSupplier done, long deadlineNanos) {
    synchronized (settleMonitor) {
      while (!done.getAsBoolean()) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        waiters++;
        try {
          TimeUnit.NANOSECONDS.timedWait(settleMonitor, Math.min(remaining, WAIT_SLICE_NANOS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        } finally {
          waiters--;
        }
      }
      return true;
    }
  }

  @Override
  public String toString() {
    return "AepKafkaBridge[" + client + ", " + state() + "]";
  }

  /**
   * Configures an {@link AepKafkaBridge}. Defaults: {@link RecordMapper#valueAsJson()}, no dead-letter handler (a
   * rejected or unmappable record stops forwarding), tombstones dead-lettered, at most 40,000 unsettled records and
   * 64 MiB in all and half of that per partition, commit whenever the settled prefix advances (one
   * commit outstanding at a time), revoke timeout 30 s, AEP outages waited out (back-off 1 s doubling to 30 s) with
   * no {@code stopAfter}. Not thread-safe.
   */
  public static final class Builder<K, V> {
    private static final int DEFAULT_MAX_UNSETTLED = 40_000;
    private static final long DEFAULT_MAX_UNSETTLED_BYTES = 64L << 20; // the client's default buffer budget

    private final Consumer<K, V> consumer;
    private final AepStreamingClient client;
    private RecordRouter<K, V> router = routerOf(RecordMapper.valueAsJson());
    private DeadLetterHandler<K, V> deadLetters;
    private TombstonePolicy tombstones = TombstonePolicy.DEAD_LETTER;
    private Duration revokeTimeout = Duration.ofSeconds(30);
    private Duration commitInterval = Duration.ZERO;
    // The window: 80 full requests of 500 records, enough to fill a 100 ms round trip at what two cores forward; the
    // client may grow to 128 in flight, but every record in the window is a duplicate after a crash. A partition may
    // take half of it.
    private int maxUnsettledPerPartition = DEFAULT_MAX_UNSETTLED / 2;
    private long maxUnsettledBytesPerPartition = DEFAULT_MAX_UNSETTLED_BYTES / 2;
    private boolean perPartitionSet; // else half of maxUnsettled, whatever that is set to
    private int maxUnsettled = DEFAULT_MAX_UNSETTLED;
    private long maxUnsettledBytes = DEFAULT_MAX_UNSETTLED_BYTES;
    private Duration stopAfter;
    private Duration outageBackoffMin = Duration.ofSeconds(1);
    private Duration outageBackoffMax = Duration.ofSeconds(30);
    private StateListener stateListener;

    private Builder(Consumer<K, V> consumer, AepStreamingClient client) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.client = Objects.requireNonNull(client, "client");
    }

    private static <K, V> RecordRouter<K, V> routerOf(RecordMapper<K, V> mapper) {
      return record -> List.of(RoutedMessage.of(mapper.map(record)));
    }

    /** How records become messages, one per record; default {@link RecordMapper#valueAsJson()}. */
    public Builder<K, V> mapper(RecordMapper<K, V> mapper) {
      Objects.requireNonNull(mapper, "mapper");
      this.router = routerOf(mapper);
      return this;
    }

    /**
     * How records become messages, zero or more per record, each for a chosen client (replaces {@link #mapper}).
     */
    public Builder<K, V> router(RecordRouter<K, V> router) {
      this.router = Objects.requireNonNull(router, "router");
      return this;
    }

    /** Where rejected and unmappable records go; default none (they stop forwarding). */
    public Builder<K, V> deadLetterHandler(DeadLetterHandler<K, V> handler) {
      this.deadLetters = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** What to do with tombstones (null values); default {@link TombstonePolicy#DEAD_LETTER}. */
    public Builder<K, V> tombstones(TombstonePolicy policy) {
      this.tombstones = Objects.requireNonNull(policy, "policy");
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

    /**
     * The least time between two asynchronous commits, 0 to 1 min; default 0: commit whenever the settled prefix
     * advances (never more than one commit outstanding, so the broker sets the pace).
     */
    public Builder<K, V> commitInterval(Duration interval) {
      this.commitInterval = requireDuration(interval, Duration.ofMinutes(1), "commitInterval");
      return this;
    }

    /**
     * Caps on the records polled and not yet committable of one partition: beyond either, the partition is paused
     * until its head settles. 1 to 1,000,000 records, 1 KiB to 1 GiB; default half of {@link #maxUnsettled} (20,000
     * and 32 MiB by default: a partition stuck behind a slow head leaves the other half of the window to the others).
     */
    public Builder<K, V> maxUnsettledPerPartition(int records, long bytes) {
      this.maxUnsettledPerPartition = requireRange(records, 1, 1_000_000, "maxUnsettledPerPartition records");
      this.maxUnsettledBytesPerPartition = requireRange(bytes, 1024, 1L << 30, "maxUnsettledPerPartition bytes");
      this.perPartitionSet = true;
      return this;
    }

    /**
     * Caps on all unsettled records: beyond either, every partition is paused. This is the window a crash can send
     * twice (plus what one commit round trip settles), and the window that keeps the client busy at long round
     * trips: a window bounds throughput to about window ÷ (round trip + linger). The default, 80 full requests of
     * 500 records, fills a 100 ms round trip; beyond that, up to the client's own in-flight ceiling (128 × 500 =
     * 64,000 by the client's defaults), a larger window buys throughput with duplicates after a crash. Kafka's log is
     * the buffer. Memory: the bridge keeps the key and value of each unsettled record until it settles (at most
     * {@code bytes}, exceeded by at most one poll) plus, by estimate, up to about 300 bytes of bookkeeping per record
     * (12 MB at 40,000); the client keeps its own copy of the messages within its {@code maxBufferedBytes}. 1 to
     * 10,000,000 records, 1 KiB to 4 GiB; defaults 40,000 and 64 MiB.
     */
    public Builder<K, V> maxUnsettled(int records, long bytes) {
      this.maxUnsettled = requireRange(records, 1, 10_000_000, "maxUnsettled records");
      this.maxUnsettledBytes = requireRange(bytes, 1024, 4L << 30, "maxUnsettled bytes");
      if (!perPartitionSet) {
        this.maxUnsettledPerPartition = Math.max(1, Math.min(1_000_000, records / 2));
        this.maxUnsettledBytesPerPartition = Math.max(1024, Math.min(1L << 30, bytes / 2));
      }
      return this;
    }

    /**
     * Stop forwarding (fail fast) once AEP has been unavailable this long, instead of waiting it out; 0 stops at the
     * first delivery the client gives up on. Default: never stop.
     */
    public Builder<K, V> stopAfter(Duration duration) {
      this.stopAfter = requireDuration(duration, Duration.ofDays(365), "stopAfter");
      return this;
    }

    /**
     * The back-off between attempts to send undelivered records again while AEP is unavailable: {@code min},
     * doubling to {@code max}. 1 ms to 10 min; defaults 1 s and 30 s.
     */
    public Builder<K, V> outageBackoff(Duration min, Duration max) {
      requireDuration(min, Duration.ofMinutes(10), "outageBackoff min");
      requireDuration(max, Duration.ofMinutes(10), "outageBackoff max");
      if (min.toMillis() < 1 || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("outageBackoff needs 1 ms <= min <= max, got " + min + " and " + max);
      }
      this.outageBackoffMin = min;
      this.outageBackoffMax = max;
      return this;
    }

    /** Told of every state change (RUNNING, DEGRADED, STOPPED); default none. */
    public Builder<K, V> stateListener(StateListener listener) {
      this.stateListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The bridge; subscribe with its {@link AepKafkaBridge#rebalanceListener()} before the first poll.
     *
     * @return the bridge
     * @throws IllegalArgumentException if the consumer commits offsets by itself ({@code enable.auto.commit=true},
     *     Kafka's default), which would lose records in a crash
     */
    public AepKafkaBridge<K, V> build() {
      Optional<Boolean> autoCommit = AutoCommitGuard.autoCommitEnabled(consumer);
      if (autoCommit.orElse(false)) {
        throw new IllegalArgumentException("the consumer has enable.auto.commit=true (Kafka's default): it would"
            + " commit records before they reach AEP and a crash would lose them. Build it with"
            + " enable.auto.commit=false (ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG), or let"
            + " AepKafkaForwarder.builder(Properties, …) build it");
      }
      return new AepKafkaBridge<>(this, autoCommit);
    }
  }
}
