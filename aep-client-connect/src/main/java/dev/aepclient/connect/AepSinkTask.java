package dev.aepclient.connect;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.connect.AepSinkConfig.TombstonePolicy;
import dev.aepclient.connect.internal.ClientSettings;
import dev.aepclient.connect.internal.Origin;
import dev.aepclient.connect.internal.PartitionTracker;
import dev.aepclient.connect.internal.PendingRecord;
import dev.aepclient.connect.internal.ValueMapper;
import dev.aepclient.connect.internal.Version;
import dev.aepclient.internal.util.RemoteText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a sink task's records to AEP through an {@link AepStreamingClient}, at least once.
 *
 * <p><b>Delivery.</b> {@link #put} hands records to the client without waiting for AEP ({@code trySend}); when the
 * client's buffer is full it keeps the rest of a partition's records and {@linkplain
 * org.apache.kafka.connect.sink.SinkTaskContext#pause pauses} the partition, and resumes it once they fit, so
 * Connect's thread is never blocked. {@link #preCommit} returns, per partition, one past the last record of the
 * settled prefix (delivered, stored by the errant record reporter, or skipped by policy), never past an unsettled
 * record; when every record put is settled, Connect's own position (records an SMT dropped are not re-read
 * forever). Settled progress is committed within about {@value AepSinkConfig#COMMIT_INTERVAL_MS}.
 *
 * <p><b>Errors.</b> A message AEP refuses, and a record that cannot be a message (not a JSON object, a tombstone
 * under {@code aep.sink.tombstones=report}, too large for one request), go to Connect's errant record reporter (the
 * dead-letter topic with {@code errors.tolerance=all}); without one the task fails with the reason. An AEP outage
 * longer than the client's delivery timeout does not fail the task: the record is sent again. Authentication
 * failures and an inlet AEP refuses for good fail the task with the reason; their offsets are not committed.
 *
 * <p>Connect calls a task from one thread; the client completes sends on its own threads, which only set flags and
 * queue outcomes for the task thread.
 */
public class AepSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(AepSinkTask.class);
  /** How soon {@code put} runs again while records wait for buffer space or outcomes wait to be handled. */
  private static final long BUSY_TICK_MS = 50;
  /** How often the wait loops look at errant-record futures, which have no callback. */
  private static final long WAIT_POLL_MS = 20;
  /** Room for core's message around the remote text it quotes. */
  private static final int REMOTE_TEXT_CHARS = 1500;

  private AepSinkConfig config;
  private AepStreamingClient client;
  private ErrantRecordReporter reporter;
  private boolean tolerateAll;
  private final Map<TopicPartition, PartitionTracker> partitions = new HashMap<>();
  private final Map<TopicPartition, Long> offered = new HashMap<>();
  private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicReference<ConnectException> failure = new AtomicReference<>();
  private final AtomicBoolean outage = new AtomicBoolean();
  private final Object monitor = new Object();
  private long lastPreCommitNanos;

  private final LongAdder delivered = new LongAdder();
  private final LongAdder reported = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder resent = new LongAdder();

  /** What the client said about a record that needs the task thread: AEP refused it, or the attempt timed out. */
  private record Outcome(PendingRecord record, Throwable error) {}

  /** For Connect. */
  public AepSinkTask() {}

  @Override
  public String version() {
    return Version.get();
  }

  /**
   * @throws org.apache.kafka.common.config.ConfigException for a sink key of the wrong type or range
   * @throws ConnectException naming the key when the client refuses the configuration
   */
  @Override
  public void start(Map<String, String> props) {
    config = new AepSinkConfig(props);
    try {
      client = ClientSettings.newClient(props);
    } catch (IllegalArgumentException e) {
      throw new ConnectException("invalid AEP configuration: " + e.getMessage(), e);
    }
    reporter = errantRecordReporter();
    tolerateAll = "all".equalsIgnoreCase(String.valueOf(props.get("errors.tolerance")).trim());
    lastPreCommitNanos = System.nanoTime();
    log.info("AEP sink task started: {} (dead-letter reporting {})", client,
        reporter != null ? "on" : tolerateAll ? "off, errors.tolerance=all skips" : "off, errors fail the task");
  }

  private ErrantRecordReporter errantRecordReporter() {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // a worker older than Kafka 2.6
    }
  }

  @Override
  public void open(Collection<TopicPartition> assigned) {
    for (TopicPartition tp : assigned) {
      partitions.computeIfAbsent(tp, PartitionTracker::new);
    }
  }

  /**
   * @throws ConnectException when the task must stop: a record could not be delivered nor reported, authentication
   *     failed, or AEP refused the inlet
   */
  @Override
  public void put(Collection<SinkRecord> records) {
    throwIfFailed();
    handleOutcomes();
    submitWaiting();
    for (SinkRecord record : records) {
      TopicPartition tp = Origin.partition(record);
      PartitionTracker tracker = partitions.computeIfAbsent(tp, PartitionTracker::new);
      PendingRecord pending = tracker.track(record);
      if (pending != null && (tracker.isWaiting() || !submit(pending))) {
        tracker.await(pending);
      }
    }
    pauseWaiting();
    throwIfFailed();
    scheduleNextPut();
    maybeRequestCommit();
  }

  /**
   * Offsets whose record and every earlier record of the partition are settled; Connect's position only when every
   * record put is settled (the rest were dropped before {@code put}, by an SMT or Connect's error handler).
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    lastPreCommitNanos = System.nanoTime();
    handleOutcomes();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : currentOffsets.keySet()) {
      PartitionTracker tracker = partitions.get(tp);
      long safe = tracker == null ? -1 : safeOffset(tracker);
      if (tracker != null && tracker.unsettledCount() == 0) {
        // Everything put is settled; Connect's position is past records put never saw (dropped by an SMT, or
        // by Connect's own error handler after a converter error), so nothing of ours lies before it. Without this,
        // a filtered tail (or a partition whose records are all filtered) is never committed and re-read forever.
        safe = Math.max(safe, currentOffsets.get(tp).offset());
      }
      if (safe >= 0) {
        offsets.put(tp, new OffsetAndMetadata(safe));
        offered.put(tp, safe);
      }
    }
    return offsets;
  }

  /** Waits, up to {@value AepSinkConfig#CLOSE_TIMEOUT_MS}, until every record put so far is settled. */
  @Override
  public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    if (!awaitSettled(new ArrayList<>(partitions.values()), true)) {
      log.warn("flush: records still unsettled after {} ms; they stay uncommitted", config.closeTimeoutMs());
    }
  }

  /**
   * Waits, up to {@value AepSinkConfig#CLOSE_TIMEOUT_MS}, for the closed partitions' records in flight, then forgets
   * them. Connect has already committed their settled prefix; records still in flight are sent again by the
   * partitions' next owner.
   */
  @Override
  public void close(Collection<TopicPartition> closed) {
    List<PartitionTracker> trackers = new ArrayList<>();
    for (TopicPartition tp : closed) {
      PartitionTracker tracker = partitions.get(tp);
      if (tracker != null) {
        trackers.add(tracker);
      }
    }
    if (!awaitSettled(trackers, false) && failure.get() == null) {
      log.warn("partitions {} closed with records still in flight after waiting {} ms; their next owner sends them"
          + " again", closed, config.closeTimeoutMs());
    }
    for (PartitionTracker tracker : trackers) {
      if (tracker.isPaused()) {
        try {
          context.resume(tracker.partition()); // Connect re-pauses a re-assigned partition it thinks is paused
        } catch (RuntimeException e) {
          log.debug("could not resume {} on close: {}", tracker.partition(), e.toString());
        }
      }
      partitions.remove(tracker.partition());
      offered.remove(tracker.partition());
    }
  }

  /** Closes the client: what is still unsettled is failed (and sent again after a restart: not committed). */
  @Override
  public void stop() {
    if (client != null) {
      long timeout = config == null ? 0 : config.closeTimeoutMs();
      client.close(Duration.ofMillis(timeout));
      log.info("AEP sink task stopped: {} delivered, {} reported as errant, {} skipped, {} sent again", delivered.sum(),
          reported.sum(), skipped.sum(), resent.sum());
    }
  }

  // ---- the task thread ----

  /** Hands a record to the client or the reporter; false when the client's buffer is full (nothing done). */
  private boolean submit(PendingRecord pending) {
    SinkRecord record = pending.record();
    if (record.value() == null) {
      if (config.tombstones() == TombstonePolicy.SKIP) {
        pending.skipped();
        skipped.increment();
        log.debug("skipped tombstone {} (aep.sink.tombstones=skip)", pending.origin());
      } else {
        errant(pending, new DataException("the record is a tombstone (null value); AEP needs a JSON object"
            + " (set aep.sink.tombstones=skip to settle tombstones without sending them)"));
      }
      return true;
    }
    AepMessage message;
    Optional<CompletableFuture<Delivery>> sent;
    try {
      message = ValueMapper.toMessage(record);
      sent = client.trySend(message);
    } catch (IllegalArgumentException e) {
      errant(pending, new DataException("the record cannot be sent to AEP: " + e.getMessage(), e));
      return true;
    }
    if (sent.isEmpty()) {
      return false;
    }
    pending.submitted(true);
    var unused = sent.get().whenComplete((delivery, error) -> onOutcome(pending, error));
    return true;
  }

  /** To the errant record reporter; without one, skipped under errors.tolerance=all, else the task fails. */
  private void errant(PendingRecord pending, Throwable reason) {
    pending.submitted(true);
    if (reporter != null) {
      Future<Void> stored;
      try {
        stored = reporter.report(pending.record(), reason);
      } catch (RuntimeException e) {
        // errors.tolerance=none with a dead-letter topic: Connect refuses to tolerate it ("Tolerance exceeded").
        fail(new ConnectException("record " + pending.origin() + " cannot be delivered to AEP (" + reason.getMessage()
            + ") and Connect's error handler did not accept it (" + e.getMessage() + "); set errors.tolerance=all"
            + " to send such records to the dead-letter topic", reason));
        return;
      }
      pending.reported(stored);
      reported.increment();
      log.debug("reported {} as errant: {}", pending.origin(), reason.getMessage());
    } else if (tolerateAll) {
      pending.skipped();
      skipped.increment();
      log.warn("skipped {}: {} (errors.tolerance=all without errors.deadletterqueue.topic.name)", pending.origin(),
          reason.getMessage());
    } else {
      fail(new ConnectException("record " + pending.origin() + " cannot be delivered to AEP (" + reason.getMessage()
          + "); to keep going past such records set errors.tolerance=all and errors.deadletterqueue.topic.name,"
          + " so they go to a dead-letter topic with the reason", reason));
    }
  }

  /** Rejections are reported and timed-out attempts queued again, here on the task thread. */
  private void handleOutcomes() {
    Outcome outcome;
    while ((outcome = outcomes.poll()) != null) {
      PendingRecord pending = outcome.record();
      if (partitions.get(pending.partition().partition()) != pending.partition()) {
        continue; // the partition was closed since: its next owner sends the record again
      }
      if (outcome.error() instanceof AepRejectedException rejected) {
        // A fresh exception, not AEP's: its text reaches the DLQ headers only through RemoteText.
        errant(pending, new DataException("AEP rejected the message: " + rejected.statusCode() + " "
            + RemoteText.sanitize(rejected.reason())));
      } else {
        pending.submitted(false);
        pending.partition().retryFirst(pending);
        resent.increment();
      }
    }
  }

  private void submitWaiting() {
    for (PartitionTracker tracker : partitions.values()) {
      while (tracker.isWaiting() && submit(tracker.waiting().peekFirst())) {
        tracker.waiting().pollFirst();
      }
      if (!tracker.isWaiting() && tracker.isPaused()) {
        context.resume(tracker.partition());
        tracker.paused(false);
        log.debug("client buffer has room again: resuming {}", tracker.partition());
      }
    }
  }

  private void pauseWaiting() {
    for (PartitionTracker tracker : partitions.values()) {
      if (tracker.isWaiting() && !tracker.isPaused()) {
        context.pause(tracker.partition());
        tracker.paused(true);
        log.debug("client buffer full: pausing {}", tracker.partition());
      }
    }
  }

  /**
   * Connect polls for up to its commit interval when nothing arrives (all partitions paused, or idle); while
   * records wait or settle, ask for the next {@code put} sooner so waiting records get in and progress is committed.
   */
  private void scheduleNextPut() {
    boolean waiting = !outcomes.isEmpty();
    boolean unsettled = false;
    for (PartitionTracker tracker : partitions.values()) {
      waiting |= tracker.isWaiting();
      unsettled |= tracker.unsettledCount() > 0;
    }
    if (waiting) {
      context.timeout(BUSY_TICK_MS);
    } else if (unsettled) {
      context.timeout(Math.min(Math.max(config.commitIntervalMs(), BUSY_TICK_MS), 1000));
    }
  }

  /** Asks Connect to commit when the settled prefix moved and the commit interval has passed. */
  private void maybeRequestCommit() {
    if (System.nanoTime() - lastPreCommitNanos < TimeUnit.MILLISECONDS.toNanos(config.commitIntervalMs())) {
      return;
    }
    for (PartitionTracker tracker : partitions.values()) {
      if (safeOffset(tracker) > offered.getOrDefault(tracker.partition(), -1L)) {
        context.requestCommit();
        return;
      }
    }
  }

  private long safeOffset(PartitionTracker tracker) {
    try {
      return tracker.safeOffset();
    } catch (ExecutionException e) {
      fail(new ConnectException("the dead-letter queue could not store a record of " + tracker.partition() + ": "
          + e.getCause() + "; its offset is not committed", e.getCause()));
      return -1;
    }
  }

  /**
   * Waits, bounded by the close timeout, until the trackers' records are settled, handling outcomes meanwhile;
   * {@code sendWaiting} also sends the records that wait for buffer space (flush), else only those sent count.
   */
  private boolean awaitSettled(List<PartitionTracker> trackers, boolean sendWaiting) {
    if (config == null) {
      return true;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.closeTimeoutMs());
    while (true) {
      handleOutcomes();
      if (sendWaiting) {
        submitWaiting();
      }
      boolean all = true;
      try {
        for (PartitionTracker tracker : trackers) {
          all &= sendWaiting ? tracker.allSettled() : tracker.submittedSettled();
        }
      } catch (ExecutionException e) {
        fail(new ConnectException("the dead-letter queue could not store a record: " + e.getCause(), e.getCause()));
        return false;
      }
      long remaining = deadline - System.nanoTime();
      if (all || remaining <= 0 || failure.get() != null) {
        return all;
      }
      synchronized (monitor) {
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(WAIT_POLL_MS)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  private void throwIfFailed() {
    ConnectException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  // ---- any thread ----

  /** On the client's I/O threads. */
  private void onOutcome(PendingRecord pending, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause == null) {
      pending.delivered();
      delivered.increment();
      if (outage.compareAndSet(true, false)) {
        log.info("AEP accepts messages again");
      }
    } else if (cause instanceof AepRejectedException) {
      outcomes.add(new Outcome(pending, cause));
    } else if (cause instanceof AepDeliveryException d) {
      switch (d.reason()) {
        case DELIVERY_TIMEOUT, BUFFER_FULL -> {
          if (outage.compareAndSet(false, true)) {
            log.warn("AEP did not take {} in time ({}); the task stays up and sends such records again",
                pending.origin(), remote(d));
          }
          outcomes.add(new Outcome(pending, cause));
        }
        // No cause attached: its message holds IMS's or AEP's text, which reaches logs only sanitized.
        case AUTHENTICATION -> fail(new ConnectException("AEP authentication failed: " + remote(d)
            + "; check aep.connection.auth.* (or aep.auth.*). Offsets from " + pending.origin()
            + " on are not committed"));
        case REQUEST_REFUSED -> fail(new ConnectException("AEP refused the requests: " + remote(d)
            + "; check aep.endpoint (or aep.inlet.url). Offsets from " + pending.origin() + " on are not committed"));
        case CLOSED -> log.debug("{} unsettled at close; it is sent again after a restart", pending.origin());
        default -> fail(new ConnectException("could not deliver " + pending.origin() + ": " + remote(d)));
      }
    } else {
      fail(new ConnectException("could not deliver " + pending.origin() + ": " + RemoteText.sanitize(
          cause.toString(), REMOTE_TEXT_CHARS)));
    }
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  /** A client exception's message (core's words around AEP's or IMS's text), made safe for logs and headers. */
  private static String remote(Throwable e) {
    return RemoteText.sanitize(e.getMessage(), REMOTE_TEXT_CHARS);
  }

  /** The first failure wins; the task thread throws it at its next call. */
  private void fail(ConnectException e) {
    if (failure.compareAndSet(null, e)) {
      log.error("AEP sink task stops: {}", e.getMessage());
    }
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }
}
