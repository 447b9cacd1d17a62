package dev.aepclient.examples.demo;

import dev.aepclient.kafka.AepKafkaMetrics;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's live progress line. Its rate is the current one (records delivered since the previous line, per
 * second), not an average over the whole run, which hides a stalled forwarder behind a fast start. On a terminal it
 * rewrites one line; otherwise it prints a line every two seconds. Not thread-safe.
 */
final class ProgressLine {
  private static final long PIPE_PERIOD_NANOS = 2_000_000_000L;

  private final PrintStream out;
  private final long total;
  private final boolean terminal;
  private long lastNanos = -1;
  private long lastDelivered;
  private double rate;

  /** {@code total}: the records expected, or 0 when unknown (a real topic). */
  ProgressLine(PrintStream out, long total, boolean terminal) {
    this.out = out;
    this.total = total;
    this.terminal = terminal;
  }

  /** Prints unless a line was printed too recently; {@code lag} is the consumer lag, or negative when unknown. */
  void print(AepKafkaMetrics m, long elapsedNanos, long lag) {
    if (lastNanos >= 0 && !terminal && elapsedNanos - lastNanos < PIPE_PERIOD_NANOS) {
      return;
    }
    printNow(m, elapsedNanos, lag);
  }

  /** Prints now: the final line, with the final figures. */
  void printNow(AepKafkaMetrics m, long elapsedNanos, long lag) {
    long sinceLast = elapsedNanos - lastNanos;
    long delivered = m.recordsDelivered();
    if (lastNanos >= 0 && sinceLast >= 200_000_000L) { // a shorter window makes the figure jitter
      rate = (delivered - lastDelivered) / (sinceLast / 1e9);
      lastNanos = elapsedNanos;
      lastDelivered = delivered;
    } else if (lastNanos < 0) {
      lastNanos = elapsedNanos;
      lastDelivered = delivered;
    }
    String line = String.format(Locale.ROOT, "[%5.1fs] delivered %,d%s | %,.0f rec/s now |%s in flight %d req |"
            + " buffered %,d KB | dead letters %,d | paused %d", elapsedNanos / 1e9, delivered,
        total > 0 ? String.format(Locale.ROOT, " / %,d", total) : "", rate,
        lag >= 0 ? String.format(Locale.ROOT, " lag %,d |", lag) : "", m.client().inFlightRequests(),
        m.client().bufferedBytes() >> 10, m.recordsDeadLettered(), m.pausedPartitions().size());
    if (terminal) {
      out.print("\r" + line + "   ");
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the line on a terminal. */
  void end() {
    if (terminal) {
      out.println();
    }
  }
}
