package dev.aepclient.reliability.concurrency;

import static dev.aepclient.reliability.concurrency.OutcomesInterleavingsTest.check;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import dev.aepclient.internal.batch.Batch;
import dev.aepclient.internal.batch.Outcomes;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.reliability.concurrency.AccumulatorInterleavingsTest.ControlledSender;
import dev.aepclient.reliability.concurrency.AccumulatorInterleavingsTest.Rig;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The accumulator's narrow races, searched for rather than sampled: each test hands Lincheck's model checker one
 * hand-written scenario ({@code addCustomScenario}) whose set-up runs before the threads start and whose parallel
 * part is only the two or three calls that race; and switch points are kept where the races are (JDK collections,
 * the batch's own list and the rig's bookkeeping are ignored, settling is one step). Without those two measures
 * the switch points inside ArrayList/HashMap copies drowned the few that matter: the planted races below were not
 * found in 3,000 interleavings; with them, within 20. {@link AccumulatorInterleavingsTest} keeps the broader,
 * sampled runs over whole test bodies.
 *
 * <p>Planted (temporarily, never committed) and found: {@code flush} taking its two snapshots under two lock
 * acquisitions (a batch moving from the queue to the sender in between is in neither list), and {@code close}
 * refusing appends only after it has listed the batches (an append in between is accepted, sent, and not waited
 * for). Numbers in {@code docs/reliability.md}, "Interleavings".
 *
 * <p>Invariants, checked by the post part after every interleaving once the rest of the answers and timers have
 * run (a violation is that call's result, which no sequential run produces): every accepted message settled exactly
 * once and its future done; every batch's {@code done} complete; each accepted message sent exactly once (or, after
 * abandon, given up on); never more requests open than the limit; the list {@code flush} returned holds every
 * message its thread appended and that was unsettled when it returned; the list {@code close} returned holds every
 * accepted message unsettled when it returned.
 */
@Tag("reliability")
@Tag("concurrency")
class AccumulatorRaceSearchTest {
  /**
   * Interleavings per scenario: the planted races were found within 20 (not within 5), so 200 leaves a wide margin
   * at ~30 s for the class on 2 shared cores. More: -Drace.search.invocations=2000.
   */
  private static final int INVOCATIONS = Integer.getInteger("race.search.invocations", 200);

  /** Two requests' worth queued behind a limit of one; a flush races the answer that frees the slot. */
  public static final class FlushVsSlotRelease {
    private final Rig rig = new Rig(2, 0L, 1, false, 3);
    private List<PendingMessage> appended = List.of();

    @Operation
    public void appendThree() {
      appended = rig.appendAll(0, 1, 2); // [0,1] sent, [2] queued (closed by linger 0 when a slot frees)
    }

    @Operation
    public void flush() {
      rig.checkListsUnsettled(rig.accumulator.flush(), appended, "flush");
    }

    @Operation
    public void answer() {
      rig.sender.answerOne(); // finished(): slot released, [2] leaves the queue for the sender, on this thread
    }

    /** The post part: lets the rest happen, then checks; a violation is this call's result (an error). */
    @Operation
    public void settleTheRest() {
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
    }
  }

  /** close against a producer appending and an answer freeing the slot: close must list whatever it accepted. */
  public static final class CloseVsAppendAndAnswer {
    private final Rig rig = new Rig(2, 0L, 1, false, 3);

    @Operation
    public void appendFirst() {
      rig.appendAll(0); // in flight from the start
    }

    @Operation
    public void close() {
      rig.recordClose(rig.accumulator.close());
    }

    @Operation
    public void appendTwo() {
      rig.appendAll(1, 2);
    }

    @Operation
    public void answer() {
      rig.sender.answerOne();
    }

    /** The post part: lets the rest happen, then checks; a violation is this call's result (an error). */
    @Operation
    public void settleTheRest() {
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
      rig.checkClose();
    }
  }

  /** Two producers each flushing what they appended, while the only slot is released under them. */
  public static final class TwoFlushersVsSlotRelease {
    private final Rig rig = new Rig(1, 0L, 1, false, 3);

    @Operation
    public void appendFirst() {
      rig.appendAll(0); // in flight: the next batches queue behind it
    }

    @Operation
    public void appendAndFlushOne() {
      List<PendingMessage> mine = rig.appendAll(1);
      rig.checkListsUnsettled(rig.accumulator.flush(), mine, "first flusher");
    }

    @Operation
    public void appendAndFlushTwo() {
      List<PendingMessage> mine = rig.appendAll(2);
      rig.checkListsUnsettled(rig.accumulator.flush(), mine, "second flusher");
    }

    @Operation
    public void answer() {
      rig.sender.answerOne();
    }

    /** The post part: lets the rest happen, then checks; a violation is this call's result (an error). */
    @Operation
    public void settleTheRest() {
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
    }
  }

  /**
   * The client's close when its timeout passes: close, then abandon what is left, while an answer settles a batch
   * and a producer appends. Everything settles once, every batch's {@code done} completes (a flush waiting elsewhere
   * returns), and each accepted message was either sent or given up on.
   */
  public static final class CloseAndAbandonVsAnswerAndAppend {
    private final Rig rig = new Rig(1, 0L, 1, false, 4);

    @Operation
    public void appendTwo() {
      rig.appendAll(0, 1); // [0] in flight, [1] queued
    }

    @Operation
    public void closeThenAbandon() {
      rig.recordClose(rig.accumulator.close());
      rig.recordAbandon(rig.accumulator.abandon());
    }

    @Operation
    public void answer() {
      rig.sender.answerOne();
    }

    @Operation
    public void appendMore() {
      rig.appendAll(2, 3);
    }

    /** The post part: lets the rest happen, then checks; a violation is this call's result (an error). */
    @Operation
    public void settleTheRest() {
      rig.quiesce();
      rig.checkSettledOnce();
      rig.checkDispatchedAtMostOnce();
      rig.checkClose();
      for (PendingMessage m : rig.accepted()) {
        check(rig.dispatchCount(m) == 1 || rig.inAbandoned(m), "an accepted message neither sent nor abandoned");
      }
    }
  }

  /** The linger timer's drain against an append that fills the lingering batch and an answer freeing the slot. */
  public static final class LingerVsAppendVsSlotRelease {
    private static final long LINGER = 1_000;
    private final Rig rig = new Rig(2, LINGER, 1, false, 4);

    @Operation
    public void appendTwo() {
      rig.appendAll(0, 1); // [0,1] full: sent at once; [2] will open a batch that lingers
    }

    @Operation
    public void lingerTimerFires() {
      rig.clock.addAndGet(LINGER);
      rig.scheduler.runDue();
    }

    @Operation
    public void appendTwoMore() {
      rig.appendAll(2, 3);
    }

    @Operation
    public void answer() {
      rig.sender.answerOne();
    }

    /** The post part: lets the rest happen, then checks; a violation is this call's result (an error). */
    @Operation
    public void settleTheRest() {
      rig.quiesce();
      rig.checkSettledOnceAndDispatchedOnce();
    }
  }

  @Test
  void lingerTimerRacingAppendAndSlotRelease_keepsTheLimit_andStrandsNothing() {
    search(LingerVsAppendVsSlotRelease.class, List.of("appendTwo"),
        List.of(List.of("lingerTimerFires"), List.of("appendTwoMore"), List.of("answer")));
  }

  @Test
  void flushRacingSlotRelease_listsTheBatchThatLeftTheQueue() {
    search(FlushVsSlotRelease.class, List.of("appendThree"), List.of(List.of("flush"), List.of("answer")));
  }

  @Test
  void closeRacingAppendAndAnswer_closeListsAllItAccepted() {
    search(CloseVsAppendAndAnswer.class, List.of("appendFirst"),
        List.of(List.of("close"), List.of("appendTwo"), List.of("answer")));
  }

  @Test
  void twoFlushersRacingSlotRelease_eachListsItsOwnMessages() {
    search(TwoFlushersVsSlotRelease.class, List.of("appendFirst"),
        List.of(List.of("appendAndFlushOne"), List.of("appendAndFlushTwo"), List.of("answer")));
  }

  @Test
  void closeAndAbandonRacingAnswerAndAppend_settleOnce_andCompleteEveryBatch() {
    search(CloseAndAbandonVsAnswerAndAppend.class, List.of("appendTwo"),
        List.of(List.of("closeThenAbandon"), List.of("answer"), List.of("appendMore")));
  }

  /**
   * What every call must return in a correct run: nothing, and no error. The sequential specification, so that a
   * violation fails the search even when it would also happen with one thread (otherwise Lincheck accepts an error
   * that a sequential run of the same class reproduces: a planted in-flight-limit bug passed).
   */
  public static final class EveryCallReturnsNormally {
    public void answer() {
    }

    public void appendAndFlushOne() {
    }

    public void appendAndFlushTwo() {
    }

    public void appendFirst() {
    }

    public void appendMore() {
    }

    public void appendThree() {
    }

    public void appendTwo() {
    }

    public void appendTwoMore() {
    }

    public void close() {
    }

    public void closeThenAbandon() {
    }

    public void flush() {
    }

    public void lingerTimerFires() {
    }

    public void settleTheRest() {
    }
  }

  /** Runs the one scenario: {@code init} before the threads, one list of calls per thread, then the settling. */
  private static void search(Class<?> test, List<String> init, List<List<String>> threads) {
    List<List<Actor>> parallel = new ArrayList<>();
    for (List<String> thread : threads) {
      parallel.add(actors(test, thread));
    }
    ExecutionScenario scenario = new ExecutionScenario(actors(test, init), parallel,
        actors(test, List.of("settleTheRest")), null);
    ModelCheckingOptions options = new ModelCheckingOptions();
    if (!Boolean.getBoolean("race.search.everywhere")) {
      // Switch points only where the races are: without this, the hundreds inside ArrayList/HashMap copies, the
      // batch's own list and the rig's bookkeeping drowned the few that matter (the planted races were not found
      // in 3,000 interleavings). Everything ignored here runs under the accumulator's lock or on one thread; the
      // settling itself is one step (its own races: OutcomesInterleavingsTest).
      options.addGuarantee(forClasses(name -> name.startsWith("java.util.") && !name.startsWith("java.util.concurrent"))
          .allMethods().ignore());
      options.addGuarantee(forClasses(Batch.class.getName(), PendingMessage.class.getName()).allMethods().ignore());
      options.addGuarantee(forClasses(Outcomes.class.getName()).allMethods().treatAsAtomic());
      options.addGuarantee(forClasses(Rig.class.getName()).methods("checkListsUnsettled", "recordClose",
          "recordAbandon", "settledNow", "accepted", "refused", "told").ignore());
      options.addGuarantee(forClasses(ControlledSender.class.getName()).methods("apply", "dispatched").ignore());
    }
    options
        .iterations(0) // only the custom scenario: no generated ones
        .invocationsPerIteration(INVOCATIONS)
        .minimizeFailedScenario(false)
        .sequentialSpecification(EveryCallReturnsNormally.class)
        .addCustomScenario(scenario)
        .check(test);
  }

  private static List<Actor> actors(Class<?> test, List<String> names) {
    List<Actor> actors = new ArrayList<>();
    for (String name : names) {
      try {
        Method method = test.getMethod(name);
        actors.add(new Actor(method, List.of(), false, false, false, false, false));
      } catch (NoSuchMethodException e) {
        throw new AssertionError(e);
      }
    }
    check(!actors.isEmpty(), "a scenario part without calls");
    return actors;
  }
}
