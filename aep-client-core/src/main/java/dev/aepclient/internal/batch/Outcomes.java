package dev.aepclient.internal.batch;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles messages: exactly once per message, it returns the message's bytes to the budget, counts the outcome,
 * tells the {@link DeliveryListener}, and completes the caller's future, in that order. Whatever the listener
 * throws (an {@link Error} such as {@code AssertionError} included) is logged and the future completes anyway:
 * a listener cannot leave a caller waiting, nor stop the other messages of the same answer from settling.
 */
public final class Outcomes {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  private final BufferBudget budget;
  private final ClientMetricsRecorder metrics;
  private final DeliveryListener listener;
  private final LongSupplier nanoTime;

  public Outcomes(BufferBudget budget, ClientMetricsRecorder metrics, DeliveryListener listener,
      LongSupplier nanoTime) {
    this.budget = budget;
    this.metrics = metrics;
    this.listener = listener;
    this.nanoTime = nanoTime;
  }

  public void delivered(PendingMessage m, Delivery delivery) {
    if (!m.trySettle()) {
      return;
    }
    budget.release(m.budgetBytes());
    metrics.messageDelivered(nanoTime.getAsLong() - m.sentNanos());
    try {
      listener.onDelivered(m.message(), delivery);
    } catch (Throwable e) {
      listenerThrew("onDelivered", e);
    }
    m.future().complete(delivery);
  }

  /**
   * Settles the messages of one answer at once: {@code entries.get(i)} is a {@link Delivery} or an
   * {@link AepRejectedException} for {@code messages.get(i)}; any other entry leaves its message alone. Each message
   * still goes through the same steps in the same order as {@link #delivered}/{@link #rejected}, but the budget of
   * the whole answer is released in one step before any of them is counted or completed: one release per message
   * woke a sender waiting for space (policy BLOCK) once per message, a park/unpark pair per message when the producer
   * is faster than AEP.
   */
  public void settleAnswer(List<PendingMessage> messages, List<Object> entries) {
    int n = messages.size();
    boolean[] mine = new boolean[n];
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      Object entry = entries.get(i);
      if ((entry instanceof Delivery || entry instanceof AepRejectedException) && messages.get(i).trySettle()) {
        mine[i] = true;
        bytes += messages.get(i).budgetBytes();
      }
    }
    while (bytes > 0) { // the budget is an int-sized semaphore; an answer never holds more than it
      int step = (int) Math.min(bytes, Integer.MAX_VALUE);
      budget.release(step);
      bytes -= step;
    }
    long now = nanoTime.getAsLong();
    for (int i = 0; i < n; i++) {
      if (!mine[i]) {
        continue;
      }
      PendingMessage m = messages.get(i);
      Object entry = entries.get(i);
      if (entry instanceof Delivery delivery) {
        metrics.messageDelivered(now - m.sentNanos());
        try {
          listener.onDelivered(m.message(), delivery);
        } catch (Throwable e) {
          listenerThrew("onDelivered", e);
        }
        m.future().complete(delivery);
      } else {
        AepRejectedException rejection = (AepRejectedException) entry;
        metrics.messageRejected(now - m.sentNanos());
        try {
          listener.onRejected(m.message(), rejection);
        } catch (Throwable e) {
          listenerThrew("onRejected", e);
        }
        m.future().completeExceptionally(rejection);
      }
    }
  }

  public void rejected(PendingMessage m, AepRejectedException rejection) {
    if (!m.trySettle()) {
      return;
    }
    budget.release(m.budgetBytes());
    metrics.messageRejected(nanoTime.getAsLong() - m.sentNanos());
    try {
      listener.onRejected(m.message(), rejection);
    } catch (Throwable e) {
      listenerThrew("onRejected", e);
    }
    m.future().completeExceptionally(rejection);
  }

  public void failed(PendingMessage m, AepDeliveryException failure) {
    if (!m.trySettle()) {
      return;
    }
    budget.release(m.budgetBytes());
    metrics.messageFailed(nanoTime.getAsLong() - m.sentNanos());
    notifyFailed(m, failure);
  }

  /**
   * For a message refused at send (buffer full, or client closed: counted by {@code failure}'s reason): nothing to
   * release; counted as sent and failed.
   */
  public void refusedAtSend(PendingMessage m, AepDeliveryException failure) {
    if (!m.trySettle()) {
      return;
    }
    metrics.messageRefusedAtSend(failure.reason());
    notifyFailed(m, failure);
  }

  private void notifyFailed(PendingMessage m, AepDeliveryException failure) {
    try {
      listener.onFailed(m.message(), failure);
    } catch (Throwable e) {
      listenerThrew("onFailed", e);
    }
    m.future().completeExceptionally(failure);
  }

  private static void listenerThrew(String method, Throwable e) {
    // Logging formats the throwable (toString, stack trace), which is the listener's code too and may throw
    // again: that must not escape, or the messages of the answer claimed after this one are never completed.
    try {
      if (e instanceof Error) {
        log.error("DeliveryListener.{} threw an Error; the outcome stands and the future completes", method, e);
      } else {
        log.warn("DeliveryListener.{} threw; the outcome stands", method, e);
      }
    } catch (Throwable unloggable) {
      try {
        log.warn("DeliveryListener.{} threw a {} that could not be logged; the outcome stands", method,
            e.getClass().getName());
      } catch (Throwable ignored) {
        // nothing more can be said about it
      }
    }
  }
}
