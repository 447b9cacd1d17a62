package dev.aepclient.reliability.concurrency;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import dev.aepclient.internal.batch.BufferBudget;
import dev.aepclient.internal.batch.Outcomes;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Settling a message races by design: the answer's thread delivers it while {@code close} fails it and the batch's
 * safety net fails what is left. Lincheck's model checker runs every interleaving of these threads (not the ones
 * the scheduler happens to pick) and each must settle the message exactly once: one listener call, one future
 * completion, the budget released once.
 */
@Tag("reliability")
@Tag("concurrency")
class OutcomesInterleavingsTest {
  private static final int INVOCATIONS = 500;

  @Test
  void deliveredFailedAndRejectedAtOnce_settleExactlyOnce() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      BufferBudget budget = new BufferBudget(10_000);
      AtomicInteger told = new AtomicInteger();
      DeliveryListener listener = new DeliveryListener() {
        @Override
        public void onDelivered(AepMessage message, Delivery delivery) {
          told.incrementAndGet();
        }

        @Override
        public void onRejected(AepMessage message, AepRejectedException rejection) {
          told.incrementAndGet();
        }

        @Override
        public void onFailed(AepMessage message, AepDeliveryException failure) {
          told.incrementAndGet();
        }
      };
      Outcomes outcomes = new Outcomes(budget, new ClientMetricsRecorder(), listener, () -> 0L);
      int cost = BufferBudget.cost(2);
      check(budget.tryAcquire(cost), "the budget takes the message");
      CompletableFuture<Delivery> future = new CompletableFuture<>();
      AtomicInteger completions = new AtomicInteger();
      var unused = future.whenComplete((d, e) -> completions.incrementAndGet());
      PendingMessage m = new PendingMessage(AepMessage.of("{}"), future, 0L, cost);

      Thread answer = new Thread(() -> outcomes.delivered(m, new Delivery("x:0", "inlet", "1", 0L)));
      Thread closing = new Thread(() -> outcomes.failed(m, new AepDeliveryException(
          AepDeliveryException.Reason.CLOSED, "closed", 0, null)));
      Thread rejecting = new Thread(() -> outcomes.rejected(m, new AepRejectedException(400, "bad")));
      answer.start();
      closing.start();
      rejecting.start();
      join(answer, closing, rejecting);

      check(told.get() == 1, "listener told " + told.get() + " times");
      check(completions.get() == 1, "future completed " + completions.get() + " times");
      check(budget.used() == 0, "budget still holds " + budget.used() + " bytes");
    });
  }

  /** Plain checks: the model checker compares objects it sees, which AssertJ's assertions refuse. */
  static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  static void join(Thread... threads) {
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
