package dev.aepclient.kafka.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Finds out whether a consumer commits offsets by itself ({@code enable.auto.commit=true}, Kafka's default), which
 * would commit records the adapter has not delivered yet and lose them in a crash.
 *
 * <p>Kafka does not expose a consumer's configuration, so this looks in two places. First, when the consumer is
 * built: the {@code autoCommitEnabled} flag that {@code KafkaConsumer}'s classic and new (KIP-848) implementations keep
 * (3.7 to 4.x; read by reflection, so an unknown wrapper or a module system that forbids it gives "unknown").
 * Second, on every poll, for consumers whose flag could not be read: the consumer's own {@code commit-total}
 * counter (group {@code consumer-coordinator-metrics}), which counts every commit, ours and auto-commits; more commits
 * than the adapter made means someone else commits.
 */
public final class AutoCommitGuard {
  private static final String FLAG = "autoCommitEnabled";
  private static final int MAX_DEPTH = 3;

  private AutoCommitGuard() {}

  /** True or false when the consumer's flag could be read, empty when not. */
  public static Optional<Boolean> autoCommitEnabled(Consumer<?, ?> consumer) {
    try {
      return find(consumer, 0, new IdentityHashMap<>());
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty(); // InaccessibleObjectException (modules), SecurityException, …: unknown
    }
  }

  private static Optional<Boolean> find(Object target, int depth, Map<Object, Boolean> seen) throws RuntimeException {
    if (target == null || depth > MAX_DEPTH || seen.put(target, Boolean.TRUE) != null) {
      return Optional.empty();
    }
    for (Class<?> type = target.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        if (field.getName().equals(FLAG) && field.getType() == boolean.class) {
          field.setAccessible(true);
          try {
            return Optional.of(field.getBoolean(target));
          } catch (IllegalAccessException e) {
            return Optional.empty();
          }
        }
      }
    }
    // Not here: look one level down, in Kafka's consumer internals only (the delegate, the coordinator).
    for (Class<?> type = target.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
            || !field.getType().getName().startsWith("org.apache.kafka.clients.consumer")) {
          continue;
        }
        field.setAccessible(true);
        Object value;
        try {
          value = field.get(target);
        } catch (IllegalAccessException e) {
          continue;
        }
        Optional<Boolean> found = find(value, depth + 1, seen);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /** The consumer's count of commits it has made (ours and its own), or -1 when it does not report one. */
  public static long commitsMade(Consumer<?, ?> consumer) {
    try {
      for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
        MetricName name = e.getKey();
        if (name.name().equals("commit-total") && name.group().endsWith("coordinator-metrics")) {
          Object value = e.getValue().metricValue();
          if (value instanceof Number n) {
            return n.longValue();
          }
        }
      }
    } catch (RuntimeException e) {
      // a consumer without metrics
    }
    return -1;
  }
}
