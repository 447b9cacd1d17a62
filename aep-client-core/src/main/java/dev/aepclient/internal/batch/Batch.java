package dev.aepclient.internal.batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Messages that travel together in one {@code {"messages":[…]}} request. Filled under the accumulator's lock,
 * then closed and handed to the sender, after which it is only read. {@link #done()} completes once every
 * message in it is settled.
 */
public final class Batch {
  /** <code>{"messages":[</code> and <code>]}</code>: the frame every batch request wraps around its messages. */
  public static final int FRAME_BYTES = "{\"messages\":[".length() + "]}".length();

  private final long createdNanos;
  private final int maxRecords;
  private final int maxWireBytes;
  private final List<PendingMessage> messages = new ArrayList<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private int wireBytes = FRAME_BYTES;
  private boolean closed;

  Batch(long createdNanos, int maxRecords, int maxWireBytes) {
    this.createdNanos = createdNanos;
    this.maxRecords = maxRecords;
    this.maxWireBytes = maxWireBytes;
  }

  /** The wire size of a request carrying one message of {@code messageBytes}. */
  public static int singleMessageWireBytes(int messageBytes) {
    return FRAME_BYTES + messageBytes;
  }

  /** An empty batch takes any message (the caller checked that it fits one request); else limits apply. */
  boolean hasRoomFor(int messageBytes) {
    return messages.isEmpty()
        || (messages.size() < maxRecords && wireBytes + 1 + messageBytes <= maxWireBytes);
  }

  void add(PendingMessage message) {
    wireBytes += (messages.isEmpty() ? 0 : 1) + message.size();
    messages.add(message);
    if (messages.size() >= maxRecords || wireBytes + 3 > maxWireBytes) { // 3: a comma and the smallest object
      closed = true;
    }
  }

  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  long createdNanos() {
    return createdNanos;
  }

  /** The messages, in send order. Read-only; call only after the batch is closed. */
  public List<PendingMessage> messages() {
    return Collections.unmodifiableList(messages);
  }

  /** Bytes of the request body carrying all of this batch's messages. */
  public int wireBytes() {
    return wireBytes;
  }

  /** Completes when every message of this batch is settled. */
  public CompletableFuture<Void> done() {
    return done;
  }
}
