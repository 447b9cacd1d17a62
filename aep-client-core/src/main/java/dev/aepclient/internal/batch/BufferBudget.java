package dev.aepclient.internal.batch;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The byte budget over every unsettled message ({@code maxBufferedBytes}): a fair semaphore with one permit per
 * byte, so a large message waiting in {@code BLOCK} mode is not starved by a stream of small ones. Each message
 * holds its UTF-8 size plus {@link #PER_MESSAGE_OVERHEAD} for the objects that carry it.
 */
public final class BufferBudget {
  /** Approximate heap cost of the objects around one message (future, holders, array header). */
  public static final int PER_MESSAGE_OVERHEAD = 128;

  private final int capacity;
  private final Semaphore permits;

  public BufferBudget(int capacity) {
    this.capacity = capacity;
    this.permits = new Semaphore(capacity, true);
  }

  public static int cost(int messageBytes) {
    return messageBytes + PER_MESSAGE_OVERHEAD;
  }

  public boolean tryAcquire(int bytes) {
    return permits.tryAcquire(bytes);
  }

  public boolean tryAcquire(int bytes, long timeoutNanos) throws InterruptedException {
    return permits.tryAcquire(bytes, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  public void release(int bytes) {
    permits.release(bytes);
  }

  public long used() {
    return (long) capacity - permits.availablePermits();
  }
}
