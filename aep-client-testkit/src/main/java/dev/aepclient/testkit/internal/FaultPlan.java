package dev.aepclient.testkit.internal;

import dev.aepclient.testkit.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Which fault, if any, the next DCS request meets: queued ones first, then a seeded random draw. Thread-safe. */
public final class FaultPlan {
  private final ConcurrentLinkedQueue<Fault> queued = new ConcurrentLinkedQueue<>();
  private volatile RandomFaults random;

  private static final class RandomFaults {
    final SplittableRandom rng;
    final List<Fault> faults = new ArrayList<>();
    final double[] cumulative;

    RandomFaults(long seed, Map<Fault, Double> mix) {
      rng = new SplittableRandom(seed);
      cumulative = new double[mix.size()];
      double sum = 0;
      int i = 0;
      for (Map.Entry<Fault, Double> e : mix.entrySet()) {
        if (e.getValue() < 0) {
          throw new IllegalArgumentException("a fault probability must not be negative: " + e);
        }
        sum += e.getValue();
        faults.add(e.getKey());
        cumulative[i++] = sum;
      }
      if (sum > 1.0 + 1e-9) {
        throw new IllegalArgumentException("fault probabilities add up to " + sum + ", above 1");
      }
    }

    synchronized Fault draw() {
      double x = rng.nextDouble();
      for (int i = 0; i < cumulative.length; i++) {
        if (x < cumulative[i]) {
          return faults.get(i);
        }
      }
      return null;
    }
  }

  public void enqueue(List<Fault> faults) {
    queued.addAll(faults);
  }

  /** Iterates {@code mix} in its own order: pass a LinkedHashMap or a sorted map for repeatable draws. */
  public void random(long seed, Map<Fault, Double> mix) {
    random = new RandomFaults(seed, mix);
  }

  public void clear() {
    queued.clear();
    random = null;
  }

  /** The fault for the next request, or null. */
  public Fault next() {
    Fault fault = queued.poll();
    if (fault != null) {
      return fault;
    }
    RandomFaults r = random;
    return r == null ? null : r.draw();
  }
}
