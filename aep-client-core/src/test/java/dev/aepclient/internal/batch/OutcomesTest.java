package dev.aepclient.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutcomesTest {
  private static final int CAPACITY = 100_000;

  private static PendingMessage pending(BufferBudget budget) {
    AepMessage message = AepMessage.of("{\"a\":1}");
    int cost = BufferBudget.cost(message.sizeInBytes());
    assertThat(budget.tryAcquire(cost)).isTrue();
    return new PendingMessage(message, new CompletableFuture<>(), System.nanoTime(), cost);
  }

  @Test
  void settlingAnAnswerReleasesItsWholeBudgetBeforeAnyFutureCompletesAndLeavesRetryableEntriesAlone() {
    BufferBudget budget = new BufferBudget(CAPACITY);
    AtomicInteger listened = new AtomicInteger();
    ClientMetricsRecorder metrics = new ClientMetricsRecorder();
    Outcomes outcomes = new Outcomes(budget, metrics, new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        listened.incrementAndGet();
      }

      @Override
      public void onRejected(AepMessage message, AepRejectedException rejection) {
        listened.incrementAndGet();
      }
    }, System::nanoTime);
    List<PendingMessage> messages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      messages.add(pending(budget));
    }
    PendingMessage retryable = messages.get(2);
    PendingMessage alreadySettled = messages.get(3);
    outcomes.failed(alreadySettled, new AepDeliveryException(AepDeliveryException.Reason.CLOSED, "closed", 0, null));
    long held = budget.used();
    assertThat(held).isEqualTo(3L * retryable.budgetBytes());
    List<Long> usedSeenByCallbacks = new ArrayList<>();
    var unused0 = messages.get(0).future().whenComplete((d, e) -> usedSeenByCallbacks.add(budget.used()));
    var unused1 = messages.get(1).future().whenComplete((d, e) -> usedSeenByCallbacks.add(budget.used()));

    outcomes.settleAnswer(messages, List.of(new Delivery("x1", "inlet", "batch", 1L),
        new AepRejectedException(400, "bad"), "retry me", new Delivery("x4", "inlet", "batch", 1L)));

    // Both settled messages' bytes were back before the first future completed; the retryable one still holds its.
    assertThat(usedSeenByCallbacks).containsExactly((long) retryable.budgetBytes(), (long) retryable.budgetBytes());
    assertThat(budget.used()).isEqualTo(retryable.budgetBytes());
    assertThat(messages.get(0).future()).isCompletedWithValueMatching(d -> d.xactionId().equals("x1"));
    assertThat(messages.get(1).future()).isCompletedExceptionally();
    assertThat(retryable.isSettled()).isFalse();
    assertThat(retryable.future()).isNotDone();
    // The message settled before (CLOSED) keeps that outcome: nothing released twice, no second listener call.
    assertThat(alreadySettled.future()).isCompletedExceptionally();
    assertThat(listened).hasValue(2);
    assertThat(metrics.snapshot(0, 1).messagesDelivered()).isEqualTo(1);
    assertThat(metrics.snapshot(0, 1).messagesRejected()).isEqualTo(1);
  }
}
