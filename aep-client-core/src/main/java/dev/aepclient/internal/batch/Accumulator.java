package dev.aepclient.internal.batch;

import dev.aepclient.AepDeliveryException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups messages into batches and hands them to the sender, at most {@code inFlightLimit} at a time (fixed, or
 * adapted to what AEP sustains: {@code ConcurrencyLimit}).
 *
 * <p>Batches wait in a queue, oldest first; only the newest may still be open. A batch leaves the queue when a
 * sender slot is free and it is closed (full by records or bytes, flushed) or has lingered {@code linger}.
 * While every slot is busy the open batch keeps filling, so batches grow exactly when AEP is the bottleneck.
 * The byte budget bounds the queue. One lock guards the queue and the in-flight set; nothing blocks or does
 * I/O while holding it.
 */
public final class Accumulator {
  private static final Logger log = LoggerFactory.getLogger(Accumulator.class);

  private final Object lock = new Object();
  private final ArrayDeque<Batch> queue = new ArrayDeque<>();
  private final Set<Batch> inFlight = new HashSet<>();
  private final int maxRecords;
  private final int maxBatchBytes;
  private final long lingerNanos;
  private final IntSupplier inFlightLimit;
  private final ScheduledExecutorService scheduler;
  private final Function<Batch, CompletionStage<?>> sender;
  private final Outcomes outcomes;
  private final LongSupplier nanoTime;
  private final Runnable onBatchDispatched;
  private boolean closed; // guarded by lock
  private final ThreadLocal<int[]> drainState = ThreadLocal.withInitial(() -> new int[2]);

  public Accumulator(int maxRecords, int maxBatchBytes, long lingerNanos, IntSupplier inFlightLimit,
      ScheduledExecutorService scheduler, Function<Batch, CompletionStage<?>> sender, Outcomes outcomes,
      LongSupplier nanoTime, Runnable onBatchDispatched) {
    this.maxRecords = maxRecords;
    this.maxBatchBytes = maxBatchBytes;
    this.lingerNanos = lingerNanos;
    this.inFlightLimit = inFlightLimit;
    this.scheduler = scheduler;
    this.sender = sender;
    this.outcomes = outcomes;
    this.nanoTime = nanoTime;
    this.onBatchDispatched = onBatchDispatched;
  }

  /** Adds the message to the open batch; false (and nothing added) once {@link #close()} was called. */
  public boolean append(PendingMessage message) {
    boolean newBatch = false;
    boolean ready; // a batch closed, or the first one may go at once: worth a drain
    synchronized (lock) {
      if (closed) {
        return false;
      }
      Batch last = queue.peekLast();
      ready = last != null && last.isClosed();
      if (last == null || last.isClosed() || !last.hasRoomFor(message.size())) {
        if (last != null && !last.isClosed()) {
          last.close();
          ready = true;
        }
        last = new Batch(nanoTime.getAsLong(), maxRecords, maxBatchBytes);
        queue.addLast(last);
        newBatch = true;
      }
      last.add(message);
      ready |= last.isClosed() || lingerNanos == 0;
    }
    if (newBatch && lingerNanos > 0) {
      scheduleDrain(lingerNanos);
    }
    if (ready) {
      drain();
    }
    return true;
  }

  /** Closes the open batch so that it goes out as soon as a slot is free; returns every unsettled batch. */
  public List<Batch> flush() {
    List<Batch> unsettled;
    synchronized (lock) {
      Batch last = queue.peekLast();
      if (last != null) {
        last.close();
      }
      unsettled = new ArrayList<>(queue);
      unsettled.addAll(inFlight);
    }
    drain();
    return unsettled;
  }

  /** Refuses further appends, then flushes. */
  public List<Batch> close() {
    synchronized (lock) {
      closed = true;
    }
    return flush();
  }

  /** {@link #abandon(java.util.function.Supplier)} with a plain {@code CLOSED} failure. */
  public List<Batch> abandon() {
    return abandon(() -> new AepDeliveryException(AepDeliveryException.Reason.CLOSED,
        "the client was closed before the message was delivered", 0, null));
  }

  /**
   * Gives up on every batch, queued or in flight, and refuses further appends: fails each unsettled message with
   * {@code failure} and completes each batch's {@code done}, so a {@code flush} waiting in another thread returns
   * even though the retries and answers those batches waited for will never come (their executors are about to
   * stop).
   *
   * @return the batches given up on
   */
  public List<Batch> abandon(java.util.function.Supplier<AepDeliveryException> failure) {
    List<Batch> all;
    synchronized (lock) {
      closed = true;
      all = new ArrayList<>(queue);
      queue.clear();
      all.addAll(inFlight);
    }
    for (Batch batch : all) {
      try {
        for (PendingMessage m : batch.messages()) {
          if (!m.isSettled()) {
            outcomes.failed(m, failure.get());
          }
        }
      } finally {
        batch.done().complete(null);
      }
    }
    return all;
  }

  /**
   * Starts sending every batch that is ready while sender slots are free. A drain asked for on a thread that is
   * already draining (a batch that settled at once, e.g. its deadline passed while it queued, finishes inside
   * dispatch; a callback that sends) is done by that outer drain's loop instead of nesting: one nested drain per
   * queued batch overflowed the stack in the middle of a drain and stranded the batch it had taken.
   */
  public void drain() {
    int[] state = drainState.get(); // [0]: draining on this thread, [1]: asked again meanwhile
    if (state[0] != 0) {
      state[1] = 1;
      return;
    }
    state[0] = 1;
    try {
      do {
        state[1] = 0;
        drainOnce();
      } while (state[1] != 0);
    } finally {
      state[0] = 0;
    }
  }

  private void drainOnce() {
    List<Batch> ready = null;
    synchronized (lock) {
      long now = nanoTime.getAsLong();
      int limit = inFlightLimit.getAsInt();
      while (inFlight.size() < limit) {
        Batch first = queue.peekFirst();
        if (first == null) {
          break;
        }
        if (!first.isClosed()) {
          long age = now - first.createdNanos();
          if (age < lingerNanos) {
            break; // its linger timer will drain again
          }
          first.close();
        }
        queue.pollFirst();
        inFlight.add(first);
        if (ready == null) {
          ready = new ArrayList<>(2);
        }
        ready.add(first);
      }
    }
    if (ready != null) {
      for (Batch batch : ready) {
        dispatch(batch);
      }
    }
  }

  private void dispatch(Batch batch) {
    onBatchDispatched.run();
    CompletionStage<?> sending;
    try {
      sending = sender.apply(batch);
    } catch (Throwable e) {
      sending = CompletableFuture.failedFuture(e);
    }
    sending.whenComplete((ignored, error) -> finished(batch, error));
  }

  private void finished(Batch batch, Throwable error) {
    try {
      // Safety net: the sender settles every message; one left over would be a bug, and must not hang a caller.
      for (PendingMessage m : batch.messages()) {
        if (!m.isSettled()) {
          log.error("a message of a finished batch was not settled; failing it", error);
          outcomes.failed(m, new AepDeliveryException(AepDeliveryException.Reason.DELIVERY_TIMEOUT,
              "the client could not settle this message: " + (error == null ? "internal error" : error), 0, error));
        }
      }
    } finally {
      // Whatever happened above, the slot is released and waiters are told.
      synchronized (lock) {
        inFlight.remove(batch);
      }
      batch.done().complete(null);
    }
    drain();
  }

  private void scheduleDrain(long delayNanos) {
    try {
      var unused = scheduler.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the client is shutting down; close() settles what is left
    }
  }
}
