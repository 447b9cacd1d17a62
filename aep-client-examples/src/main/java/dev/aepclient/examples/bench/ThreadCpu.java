package dev.aepclient.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads, native ones included (GC, JIT), grouped by thread name, from Linux's
 * {@code /proc/self/task/<tid>/schedstat} (nanoseconds on CPU). Empty where {@code /proc} is missing. Threads that
 * end between two snapshots lose their time (the client's threads live as long as the client).
 */
final class ThreadCpu {
  private ThreadCpu() {}

  /** Nanoseconds on CPU so far, by group. */
  static Map<String, Long> byGroup() {
    Map<String, Long> groups = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("schedstat")).trim();
          long nanos = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
          groups.merge(group(name), nanos, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      });
    } catch (IOException e) {
      return Map.of();
    }
    return groups;
  }

  /**
   * This process's CPU time in the kernel so far, in nanoseconds (field 15 of {@code /proc/self/stat}, in clock
   * ticks assumed 100 Hz: 10 ms resolution); 0 where {@code /proc} is missing.
   */
  static long kernelNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      return Long.parseLong(fields[12]) * 10_000_000L; // fields[0] is field 3 (state): stime is field 15
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Nanoseconds on CPU since {@code before}, by group. */
  static Map<String, Long> since(Map<String, Long> before) {
    Map<String, Long> now = byGroup();
    now.replaceAll((group, nanos) -> nanos - before.getOrDefault(group, 0L));
    return now;
  }

  static String describe(Map<String, Long> nanos, long messages) {
    StringBuilder text = new StringBuilder();
    nanos.forEach((group, n) -> {
      if (n * 100 / Math.max(1, messages) > 0) { // at least 0.01 µs/msg
        text.append(text.length() == 0 ? "" : ", ").append(group).append(' ')
            .append(String.format("%.2f", n / 1000.0 / messages));
      }
    });
    return text.toString();
  }

  private static String group(String name) {
    if (name.equals("main") || name.equals("java")) { // the launcher names the main thread "java"
      return "main";
    } else if (name.startsWith("aep-client")) {
      return "client";
    } else if (name.startsWith("OkHttp")) {
      return "OkHttp";
    } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
      return "GC";
    } else if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return "JIT";
    }
    return "other";
  }
}
