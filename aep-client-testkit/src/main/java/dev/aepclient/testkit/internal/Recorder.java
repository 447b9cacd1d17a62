package dev.aepclient.testkit.internal;

import dev.aepclient.testkit.AcceptedMessage;
import dev.aepclient.testkit.RecordedRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the simulator saw and answered. Thread-safe; request history is bounded. */
public final class Recorder {
  private static final int MAX_REQUESTS = 10_000;

  private final boolean keepMessages;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final Map<String, AtomicInteger> acceptedIds = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> acknowledgedIds = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<AcceptedMessage> messages = new ConcurrentLinkedQueue<>();
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final Deque<RecordedRequest> requests = new ArrayDeque<>();

  public Recorder(boolean keepMessages) {
    this.keepMessages = keepMessages;
  }

  public void accepted(String id, byte[] body, int start, int end, String xactionId) {
    accepted.increment();
    if (id != null) {
      acceptedIds.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    }
    if (keepMessages) {
      byte[] bytes = java.util.Arrays.copyOfRange(body, start, end);
      messages.add(new AcceptedMessage(id, bytes, xactionId));
    }
  }

  /** These ids are reported accepted in an answer now being written (retracted if the write fails). */
  public void acknowledged(List<String> ids) {
    for (String id : ids) {
      acknowledgedIds.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  /** The answer reporting these ids could not be written whole after all. */
  public void unacknowledged(List<String> ids) {
    for (String id : ids) {
      AtomicInteger count = acknowledgedIds.get(id);
      if (count != null && count.decrementAndGet() <= 0) {
        acknowledgedIds.remove(id, count);
      }
    }
  }

  public Map<String, Integer> acknowledgedIds() {
    Map<String, Integer> copy = new java.util.HashMap<>(acknowledgedIds.size() * 2);
    acknowledgedIds.forEach((id, count) -> copy.put(id, count.get()));
    return copy;
  }

  public void rejected() {
    rejected.increment();
  }

  public void answered(RecordedRequest request) {
    statuses.computeIfAbsent(request.status(), k -> new LongAdder()).increment();
    synchronized (requests) {
      if (requests.size() == MAX_REQUESTS) {
        requests.removeFirst();
      }
      requests.addLast(request);
    }
  }

  public long acceptedCount() {
    return accepted.sum();
  }

  public long rejectedCount() {
    return rejected.sum();
  }

  public Map<String, Integer> acceptedIds() {
    Map<String, Integer> copy = new java.util.HashMap<>(acceptedIds.size() * 2);
    acceptedIds.forEach((id, count) -> copy.put(id, count.get()));
    return copy;
  }

  public int timesAccepted(String id) {
    AtomicInteger count = acceptedIds.get(id);
    return count == null ? 0 : count.get();
  }

  public long duplicates() {
    long duplicates = 0;
    for (AtomicInteger count : acceptedIds.values()) {
      duplicates += Math.max(0, count.get() - 1);
    }
    return duplicates;
  }

  public List<AcceptedMessage> messages() {
    return List.copyOf(messages);
  }

  public Map<Integer, Long> statuses() {
    Map<Integer, Long> copy = new TreeMap<>();
    statuses.forEach((status, count) -> copy.put(status, count.sum()));
    return copy;
  }

  public List<RecordedRequest> requests() {
    synchronized (requests) {
      return new ArrayList<>(requests);
    }
  }

  public void reset() {
    accepted.reset();
    rejected.reset();
    acceptedIds.clear();
    acknowledgedIds.clear();
    messages.clear();
    statuses.clear();
    synchronized (requests) {
      requests.clear();
    }
  }
}
