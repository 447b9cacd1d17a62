package dev.aepclient.reliability.concurrency;

import static dev.aepclient.reliability.concurrency.OutcomesInterleavingsTest.check;

import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.reliability.concurrency.AccumulatorInterleavingsTest.Rig;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The accumulator's narrow races, searched for rather than sampled: each test hands Lincheck's model checker one
 * hand-written scenario ({@code addCustomScenario}) whose set-up runs before the threads start and whose parallel
 * part is only the two or three calls that race. With so few switch points the checker goes through the
 * interleavings with one and two thread switches systematically, instead of drawing random switch points among the
 * thousands of a whole test body ({@link AccumulatorInterleavingsTest} keeps those broader, sampled runs).
 *
 * <p>Shown to find what {@link AccumulatorInterleavingsTest} missed: {@code flush} taking its two snapshots under
 * two lock acquisitions (a batch moving from the queue to the sender in between is in neither), and {@code close}
 * refusing appends only after it has listed the batches (an append in between is accepted, sent, and not waited
 * for). Numbers in {@code docs/reliability.md}, "Interleavings".
 *
 * <p>Invariants after every interleaving (the {@code @Validate} method, once the rest of the answers and timers have
 * run): every accepted message settled exactly once and its future done; every batch's {@code done} complete; each
 * accepted message sent exactly once; never more requests open than the limit; the list {@code flush} returned holds
 * every message its thread appended and that was unsettled when it returned; the list {@code close} returned holds
 * every accepted message unsettled when it returned.
 */
@Tag("reliability")
@Tag("concurrency")
class AccumulatorRaceSearchTest {
  /** Upper bound per scenario; the checker stops sooner once it has run every interleaving it can tell apart. */
  private static final int INVOCATIONS = Integer.getInteger("race.search.invocations", 1_000);

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

    @Operation
    public void settleTheRest() {
      rig.quiesce();
    }

    @Validate
    public void invariants() {
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

    @Operation
    public void settleTheRest() {
      rig.quiesce();
    }

    @Validate
    public void invariants() {
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

    @Operation
    public void settleTheRest() {
      rig.quiesce();
    }

    @Validate
    public void invariants() {
      rig.checkSettledOnceAndDispatchedOnce();
    }
  }

  @Test
  void flushRacingSlotRelease_everyInterleaving_listsTheBatchThatLeftTheQueue() {
    search(FlushVsSlotRelease.class, List.of("appendThree"), List.of(List.of("flush"), List.of("answer")));
  }

  @Test
  void closeRacingAppendAndAnswer_everyInterleaving_closeListsAllItAccepted() {
    search(CloseVsAppendAndAnswer.class, List.of("appendFirst"),
        List.of(List.of("close"), List.of("appendTwo"), List.of("answer")));
  }

  @Test
  void twoFlushersRacingSlotRelease_everyInterleaving_eachListsItsOwnMessages() {
    search(TwoFlushersVsSlotRelease.class, List.of("appendFirst"),
        List.of(List.of("appendAndFlushOne"), List.of("appendAndFlushTwo"), List.of("answer")));
  }

  /** Runs the one scenario: {@code init} before the threads, one list of calls per thread, then the settling. */
  private static void search(Class<?> test, List<String> init, List<List<String>> threads) {
    List<List<Actor>> parallel = new ArrayList<>();
    for (List<String> thread : threads) {
      parallel.add(actors(test, thread));
    }
    ExecutionScenario scenario = new ExecutionScenario(actors(test, init), parallel,
        actors(test, List.of("settleTheRest")), null);
    new ModelCheckingOptions()
        .iterations(0) // only the custom scenario: no generated ones
        .invocationsPerIteration(INVOCATIONS)
        .minimizeFailedScenario(false)
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
