package dev.aepclient.internal.batch;

import dev.aepclient.AepMessage;
import dev.aepclient.Delivery;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A message between {@code send} and its outcome: the message, its caller's future, when it was sent and how
 * much of the byte budget it holds. {@link #trySettle()} makes the outcome happen exactly once, whatever the
 * races between retries, bisection, timeouts and close.
 */
public final class PendingMessage {
  private static final AtomicIntegerFieldUpdater<PendingMessage> SETTLED =
      AtomicIntegerFieldUpdater.newUpdater(PendingMessage.class, "settled");

  private final AepMessage message;
  private final CompletableFuture<Delivery> future;
  private final long sentNanos;
  private final int budgetBytes;
  private volatile int settled;

  public PendingMessage(AepMessage message, CompletableFuture<Delivery> future, long sentNanos, int budgetBytes) {
    this.message = message;
    this.future = future;
    this.sentNanos = sentNanos;
    this.budgetBytes = budgetBytes;
  }

  public AepMessage message() { return message; }
  public CompletableFuture<Delivery> future() { return future; }
  public long sentNanos() { return sentNanos; }
  public int budgetBytes() { return budgetBytes; }
  /** UTF-8 bytes on the wire. */
  public int size() { return message.sizeInBytes(); }

  public boolean isSettled() {
    return settled != 0;
  }

  /** True exactly once: for the caller that gets to settle this message. */
  boolean trySettle() {
    return SETTLED.compareAndSet(this, 0, 1);
  }
}
