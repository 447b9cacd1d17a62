package dev.aepclient.reliability.concurrency;

import static dev.aepclient.reliability.concurrency.OutcomesInterleavingsTest.check;
import static dev.aepclient.reliability.concurrency.OutcomesInterleavingsTest.join;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import dev.aepclient.internal.batch.Accumulator;
import dev.aepclient.internal.batch.Batch;
import dev.aepclient.internal.batch.BufferBudget;
import dev.aepclient.internal.batch.Outcomes;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The accumulator's races, explored by Lincheck's model checker rather than left to the OS scheduler: appends
 * against {@code flush}, {@code close} and {@code abandon}; a full batch against the linger timer's drain against
 * an in-flight slot being released by {@code finished}. The only threads are the test's own: the linger timer is
 * a {@link ManualScheduler} that a test thread fires after moving a manual clock, and the sender hands back a
 * future that a test thread completes (or one already complete), so no executor or I/O sits inside the
 * model-checked code.
 *
 * <p>After every interleaving, once the remaining answers and timers have run: every accepted message was settled
 * exactly once (one listener call, its future done), was dispatched exactly once (or abandoned), every batch's
 * {@code done} completed, the sender never held more than the in-flight limit, nothing refused was sent, and the
 * list {@code flush}/{@code close} returned held every message not yet settled when it returned.
 */
@Tag("reliability")
@Tag("concurrency")
class AccumulatorInterleavingsTest {
  /**
   * Interleavings explored per test: ~0.3 s each on 2 shared cores, so the default keeps the class near 20 s. Not
   * exhaustive: a seeded narrow race (flush's two snapshots split) was not found even at 300 here (switch points
   * drowned among the JDK collections' own); {@link AccumulatorRaceSearchTest} finds it within 20. A seeded
   * in-flight limit bug fails at once. More: -Daccumulator.interleavings=300.
   */
  private static final int INVOCATIONS = Integer.getInteger("accumulator.interleavings", 12);
  private static final long LINGER = 1_000;
  /** Parsed once: parsing JSON inside every explored interleaving cost most of the run. Immutable. */
  private static final AepMessage[] PAYLOADS = {AepMessage.of("{\"n\":0}"), AepMessage.of("{\"n\":1}"),
      AepMessage.of("{\"n\":2}"), AepMessage.of("{\"n\":3}"), AepMessage.of("{\"n\":4}")};

  @Test
  void appendsRacingFlushAndClose_settleEverythingOnce_andFlushListsEveryUnsettledBatch() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Rig rig = new Rig(2, 0L, 1, false, 4);
      Thread producer = new Thread(() -> {
        List<PendingMessage> mine = rig.appendAll(0, 1, 2);
        rig.checkListsUnsettled(rig.accumulator.flush(), mine, "flush after appends");
      });
      Thread closer = new Thread(() -> rig.recordClose(rig.accumulator.close()));
      Thread answers = new Thread(() -> {
        rig.sender.answerOne();
        rig.appendAll(3);
      });
      producer.start();
      closer.start();
      answers.start();
      join(producer, closer, answers);
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
      rig.checkClose();
    });
  }

  /** Small on purpose (two threads, one call each) so that a few dozen interleavings cover the race. */
  @Test
  void flushRacingSlotRelease_listsTheBatchThatJustLeftTheQueue() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Rig rig = new Rig(2, 0L, 1, false, 3);
      List<PendingMessage> appended = rig.appendAll(0, 1, 2); // [0,1] in flight, [2] queued
      Thread flusher = new Thread(() -> rig.checkListsUnsettled(rig.accumulator.flush(), appended, "flush"));
      Thread answers = new Thread(rig.sender::answerOne); // releases the slot: [2] leaves the queue
      flusher.start();
      answers.start();
      join(flusher, answers);
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
    });
  }

  @Test
  void answersRacingAbandon_settleEveryMessageOnce_andCompleteEveryBatch() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Rig rig = new Rig(1, 0L, 1, false, 3);
      rig.appendAll(0); // in flight from the start
      Thread producer = new Thread(() -> rig.appendAll(1, 2));
      Thread answers = new Thread(() -> {
        rig.sender.answerOne();
        rig.sender.answerOne();
      });
      Thread abandoning = new Thread(() -> rig.recordAbandon(rig.accumulator.abandon()));
      producer.start();
      answers.start();
      abandoning.start();
      join(producer, answers, abandoning);
      rig.quiesce();
      rig.checkSettledOnce();
      rig.checkDispatchedAtMostOnce();
      for (PendingMessage m : rig.accepted()) {
        check(rig.dispatchCount(m) == 1 || rig.inAbandoned(m), "an accepted message neither sent nor abandoned");
      }
    });
  }

  @Test
  void lingerTimerRacingFullBatchAndSlotRelease_keepTheLimit_andStrandNothing() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Rig rig = new Rig(2, LINGER, 1, false, 5);
      rig.appendAll(0); // an open batch, its linger timer scheduled
      Thread producer = new Thread(() -> rig.appendAll(1, 2, 3)); // fills one batch, opens the next
      Thread timer = new Thread(() -> {
        rig.clock.addAndGet(LINGER);
        rig.scheduler.runDue();
      });
      Thread answers = new Thread(() -> {
        rig.sender.answerOne();
        rig.appendAll(4);
      });
      producer.start();
      timer.start();
      answers.start();
      join(producer, timer, answers);
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
    });
  }

  @Test
  void senderAnsweringAtOnce_whileTwoThreadsAppendAndFlush_sendsEachBatchOnce() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Rig rig = new Rig(2, LINGER, 2, true, 5);
      Thread first = new Thread(() -> {
        List<PendingMessage> mine = rig.appendAll(0, 1);
        rig.checkListsUnsettled(rig.accumulator.flush(), mine, "flush after appends");
      });
      Thread second = new Thread(() -> {
        List<PendingMessage> mine = rig.appendAll(2, 3, 4);
        rig.checkListsUnsettled(rig.accumulator.flush(), mine, "flush after appends");
      });
      Thread timer = new Thread(() -> {
        rig.clock.addAndGet(LINGER);
        rig.scheduler.runDue();
      });
      first.start();
      second.start();
      timer.start();
      join(first, second, timer);
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
    });
  }

  /**
   * One accumulator with its sender, outcomes, clock and timer, plus the record of what happened to each message.
   * Shared collections are guarded by the rig's monitor (plain locks keep the model checker's state space small).
   */
  static final class Rig {
    final AtomicLong clock = new AtomicLong();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final int limit;
    final ControlledSender sender;
    final Outcomes outcomes;
    final Accumulator accumulator;
    final PendingMessage[] messages;
    /**
     * Listener calls per message, by the message's index. Found by identity scan, not in an IdentityHashMap: under
     * Lincheck's data-structure mode identity hash codes differ between the test's constructor and its threads.
     */
    final AtomicInteger[] told;
    private final List<PendingMessage> accepted = new ArrayList<>();
    private final List<PendingMessage> refused = new ArrayList<>();
    private final List<Batch> listed = new ArrayList<>(); // every batch a flush/close/abandon returned
    private final List<Batch> abandoned = new ArrayList<>();
    private final List<String> flushMisses = new ArrayList<>();
    private List<Batch> closeList;
    private List<PendingMessage> settledWhenCloseReturned;

    Rig(int maxRecords, long lingerNanos, int limit, boolean answerAtOnce, int messageCount) {
      this.limit = limit;
      messages = new PendingMessage[messageCount];
      told = new AtomicInteger[messageCount];
      for (int i = 0; i < messageCount; i++) {
        messages[i] = new PendingMessage(PAYLOADS[i], new CompletableFuture<>(), 0L, 0);
        told[i] = new AtomicInteger();
      }
      DeliveryListener listener = new DeliveryListener() {
        @Override
        public void onDelivered(AepMessage message, Delivery delivery) {
          told(message).incrementAndGet();
        }

        @Override
        public void onRejected(AepMessage message, AepRejectedException rejection) {
          told(message).incrementAndGet();
        }

        @Override
        public void onFailed(AepMessage message, AepDeliveryException failure) {
          told(message).incrementAndGet();
        }
      };
      outcomes = new Outcomes(new BufferBudget(1 << 20), new ClientMetricsRecorder(), listener, clock::get);
      sender = new ControlledSender(outcomes, answerAtOnce);
      accumulator = new Accumulator(maxRecords, 1_000_000, lingerNanos, () -> limit, scheduler, sender, outcomes,
          clock::get, () -> { });
    }

    AtomicInteger told(AepMessage message) {
      for (int i = 0; i < messages.length; i++) {
        if (messages[i].message() == message) {
          return told[i];
        }
      }
      throw new AssertionError("a message this rig never made");
    }

    /** Appends the given messages in order; returns those accepted. */
    List<PendingMessage> appendAll(int... indexes) {
      List<PendingMessage> mine = new ArrayList<>();
      for (int i : indexes) {
        PendingMessage m = messages[i];
        boolean ok = accumulator.append(m);
        synchronized (this) {
          (ok ? accepted : refused).add(m);
        }
        if (ok) {
          mine.add(m);
        }
      }
      return mine;
    }

    /**
     * This thread appended {@code mine} before calling flush: each must be listed, or settled already. Recorded
     * here and checked by {@link #checkFlushes()} on the test's main thread (where a failure reaches Lincheck).
     */
    void checkListsUnsettled(List<Batch> list, List<PendingMessage> mine, String what) {
      List<PendingMessage> settled = settledNow();
      synchronized (this) {
        listed.addAll(list);
        for (PendingMessage m : mine) {
          if (!contains(list, m) && !settled.contains(m)) {
            flushMisses.add(what + ": an unsettled message is in no returned batch");
          }
        }
      }
    }

    synchronized void checkFlushes() {
      check(flushMisses.isEmpty(), String.valueOf(flushMisses));
    }

    void recordClose(List<Batch> list) {
      List<PendingMessage> settled = settledNow();
      synchronized (this) {
        closeList = list;
        settledWhenCloseReturned = settled;
        listed.addAll(list);
      }
    }

    void recordAbandon(List<Batch> list) {
      synchronized (this) {
        abandoned.addAll(list);
        listed.addAll(list);
      }
    }

    /** Lets the rest happen as it would with a live server: every answer comes, every due timer fires. */
    void quiesce() {
      for (int round = 0; round < 50; round++) {
        clock.addAndGet(LINGER);
        boolean fired = scheduler.runDue();
        boolean answered = sender.answerOne();
        if (!fired && !answered) {
          return;
        }
      }
      throw new AssertionError("the accumulator kept sending after 50 rounds");
    }

    void checkSettledOnce() {
      checkFlushes();
      check(sender.maxInFlight() <= limit, "the sender held " + sender.maxInFlight() + " requests, limit " + limit);
      for (PendingMessage m : accepted()) {
        int n = told(m.message()).get();
        check(n == 1, "an accepted message was settled " + n + " times");
        check(m.future().isDone(), "an accepted message's future never completed");
      }
      for (Batch b : allBatches()) {
        check(b.done().isDone(), "a batch's done never completed");
      }
      for (PendingMessage m : refused()) {
        check(told(m.message()).get() == 0, "the accumulator settled a message it refused");
      }
    }

    void checkDispatchedAtMostOnce() {
      for (Batch b : sender.dispatched()) {
        int n = 0;
        for (Batch other : sender.dispatched()) {
          n += other == b ? 1 : 0;
        }
        check(n == 1, "a batch was dispatched " + n + " times");
      }
      for (PendingMessage m : messages) {
        check(dispatchCount(m) <= 1, "a message was dispatched " + dispatchCount(m) + " times");
      }
      for (PendingMessage m : refused()) {
        check(dispatchCount(m) == 0, "a refused message was sent");
      }
    }

    void checkSettledOnceAndDispatchedOnce() {
      checkSettledOnce();
      checkDispatchedAtMostOnce();
      for (PendingMessage m : accepted()) {
        check(dispatchCount(m) == 1, "an accepted message was never sent");
      }
    }

    /** Every message accepted (by any thread) was in close's list, or was settled when close returned. */
    void checkClose() {
      check(closeList != null, "close did not return");
      for (PendingMessage m : accepted()) {
        check(contains(closeList, m) || settledWhenCloseReturned.contains(m),
            "close's list missed a message that was still unsettled");
      }
    }

    int dispatchCount(PendingMessage m) {
      int n = 0;
      for (Batch b : sender.dispatched()) {
        for (PendingMessage sent : b.messages()) {
          n += sent == m ? 1 : 0;
        }
      }
      return n;
    }

    boolean inAbandoned(PendingMessage m) {
      synchronized (this) {
        return contains(abandoned, m);
      }
    }

    synchronized List<PendingMessage> accepted() {
      return new ArrayList<>(accepted);
    }

    synchronized List<PendingMessage> refused() {
      return new ArrayList<>(refused);
    }

    private List<Batch> allBatches() {
      List<Batch> all = new ArrayList<>(sender.dispatched());
      synchronized (this) {
        all.addAll(listed);
      }
      return all;
    }

    private List<PendingMessage> settledNow() {
      List<PendingMessage> settled = new ArrayList<>();
      for (PendingMessage m : messages) {
        if (m.isSettled()) {
          settled.add(m);
        }
      }
      return settled;
    }

    private static boolean contains(List<Batch> batches, PendingMessage m) {
      for (Batch b : batches) {
        for (PendingMessage in : b.messages()) {
          if (in == m) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * The sender: records every batch it is handed and counts requests open at once. With {@code answerAtOnce} it
   * delivers the batch and returns a completed future (the accumulator then finishes the batch inside its own
   * drain); otherwise the request stays open until a test thread calls {@link #answerOne()}.
   */
  static final class ControlledSender implements Function<Batch, CompletionStage<?>> {
    private final Outcomes outcomes;
    private final boolean answerAtOnce;
    private final List<Batch> dispatched = new ArrayList<>();
    private final ArrayDeque<Batch> open = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Void>> answers = new ArrayDeque<>();
    private int inFlight;
    private int maxInFlight;

    ControlledSender(Outcomes outcomes, boolean answerAtOnce) {
      this.outcomes = outcomes;
      this.answerAtOnce = answerAtOnce;
    }

    @Override
    public CompletionStage<?> apply(Batch batch) {
      synchronized (this) {
        dispatched.add(batch);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        if (!answerAtOnce) {
          CompletableFuture<Void> answer = new CompletableFuture<>();
          open.addLast(batch);
          answers.addLast(answer);
          return answer;
        }
      }
      deliver(batch);
      synchronized (this) {
        inFlight--;
      }
      return CompletableFuture.completedFuture(null);
    }

    /** Answers the oldest open request (its messages delivered); false if none is open. */
    boolean answerOne() {
      Batch batch;
      CompletableFuture<Void> answer;
      synchronized (this) {
        batch = open.pollFirst();
        answer = answers.pollFirst();
        if (batch == null) {
          return false;
        }
      }
      deliver(batch);
      synchronized (this) {
        inFlight--;
      }
      answer.complete(null); // the accumulator's finished(): slot released, next batch drained, on this thread
      return true;
    }

    private void deliver(Batch batch) {
      for (PendingMessage m : batch.messages()) {
        outcomes.delivered(m, new Delivery("x:0", "inlet", "1", 0L));
      }
    }

    synchronized List<Batch> dispatched() {
      return new ArrayList<>(dispatched);
    }

    synchronized int maxInFlight() {
      return maxInFlight;
    }
  }

  /**
   * The linger timer without a thread: {@code schedule} records the task and when it is due on the manual clock;
   * {@link #runDue()} runs, on the calling thread, every task due by now. Only what the accumulator uses is
   * supported.
   */
  static final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final AtomicLong clock;
    private final List<long[]> dueTimes = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();

    ManualScheduler(AtomicLong clock) {
      this.clock = clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      synchronized (this) {
        dueTimes.add(new long[] {clock.get() + unit.toNanos(delay)});
        tasks.add(command);
      }
      return null; // the accumulator never cancels its linger timer
    }

    /** Runs every task due by the clock's current time; true if any ran. */
    boolean runDue() {
      List<Runnable> due = new ArrayList<>();
      synchronized (this) {
        long now = clock.get();
        for (int i = tasks.size() - 1; i >= 0; i--) {
          if (dueTimes.get(i)[0] <= now) {
            due.add(0, tasks.remove(i));
            dueTimes.remove(i);
          }
        }
      }
      due.forEach(Runnable::run);
      return !due.isEmpty();
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void shutdown() {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Runnable> shutdownNow() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
