package dev.aepclient.examples.demo;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every message's outcome as the client settles it: a {@link Delivery} (AEP's receipt), AEP's refusal, or
 * the client giving up. Against the real AEP this is the only truthful count the demo has: it comes from AEP's own
 * answers, not from a simulator's records. Thread-safe and non-blocking (called on the client's I/O threads).
 */
final class OutcomeCounter implements DeliveryListener {
  private final LongAdder delivered = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Map<AepDeliveryException.Reason, LongAdder> failureReasons = new ConcurrentHashMap<>();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  @Override
  public void onDelivered(AepMessage message, Delivery delivery) {
    delivered.increment();
  }

  @Override
  public void onRejected(AepMessage message, AepRejectedException rejection) {
    rejected.increment();
  }

  @Override
  public void onFailed(AepMessage message, AepDeliveryException failure) {
    failed.increment();
    failureReasons.computeIfAbsent(failure.reason(), r -> new LongAdder()).increment();
    firstFailure.compareAndSet(null, failure.getMessage()); // the client's own text; remote parts already sanitized
  }

  /** Messages AEP accepted, each with its receipt. */
  long delivered() {
    return delivered.sum();
  }

  /** Messages AEP refused (they go to the dead-letter handler). */
  long rejected() {
    return rejected.sum();
  }

  /** Messages the client gave up on. */
  long failed() {
    return failed.sum();
  }

  /** Failed messages per reason, in the enum's order. */
  Map<AepDeliveryException.Reason, Long> failureReasons() {
    Map<AepDeliveryException.Reason, Long> copy = new TreeMap<>();
    failureReasons.forEach((reason, count) -> copy.put(reason, count.sum()));
    return copy;
  }

  /** The first failure's message, or null. */
  String firstFailure() {
    return firstFailure.get();
  }
}
