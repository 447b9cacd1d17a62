package dev.aepclient.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link AepSimulator} in a process of its own, so a benchmark can measure the client's CPU apart from the
 * server's. Serves until the process is stopped (or, with {@code --until-stdin-closes}, until its standard input
 * ends: a parent that dies takes it along). Prints one line when ready:
 * {@code AepSimulator listening inlet=<url> ims=<url>}.
 *
 * <pre>
 * java -cp &lt;testkit and jackson jars&gt; dev.aepclient.testkit.AepSimulatorMain --port 8080 --latency-ms 50 \
 *     --jitter-ms 5 --rate-limit-rps 200 --rate-limit-mps 20000 --counting
 * </pre>
 *
 * <p>Options (defaults in brackets): {@code --port N} [0, ephemeral], {@code --threads N} [16],
 * {@code --latency-ms N} [0], {@code --jitter-ms N} [0], {@code --seed N} [0], {@code --bandwidth-bytes-per-second N}
 * [0, none], {@code --rate-limit-rps X} and {@code --rate-limit-mps X} [none; give both, or one and the other
 * unlimited], {@code --counting} (counting mode, for throughput) [validating], {@code --inlet ID} [inlet-1],
 * {@code --until-stdin-closes}.
 */
public final class AepSimulatorMain {
  private AepSimulatorMain() {}

  public static void main(String[] args) throws Exception {
    AepSimulator.Builder builder = AepSimulator.builder();
    long latencyMs = 0;
    long jitterMs = 0;
    double rps = Double.POSITIVE_INFINITY;
    double mps = Double.POSITIVE_INFINITY;
    boolean untilStdinCloses = false;
    String inlet = AepSimulator.DEFAULT_INLET;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      switch (option) {
        case "--counting" -> builder.countingMode(true);
        case "--until-stdin-closes" -> untilStdinCloses = true;
        case "--help", "-h" -> {
          System.out.println("options: --port N --threads N --latency-ms N --jitter-ms N --seed N"
              + " --bandwidth-bytes-per-second N --rate-limit-rps X --rate-limit-mps X --counting --inlet ID"
              + " --until-stdin-closes");
          return;
        }
        default -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(option + " needs a value (or is unknown); see --help");
          }
          String value = args[++i];
          switch (option) {
            case "--port" -> builder.port(Integer.parseInt(value));
            case "--threads" -> builder.threads(Integer.parseInt(value));
            case "--latency-ms" -> latencyMs = Long.parseLong(value);
            case "--jitter-ms" -> jitterMs = Long.parseLong(value);
            case "--seed" -> builder.seed(Long.parseLong(value));
            case "--bandwidth-bytes-per-second" -> builder.bandwidthBytesPerSecond(Long.parseLong(value));
            case "--rate-limit-rps" -> rps = Double.parseDouble(value);
            case "--rate-limit-mps" -> mps = Double.parseDouble(value);
            case "--inlet" -> {
              inlet = value;
              builder.inlet(value);
            }
            default -> throw new IllegalArgumentException("unknown option " + option + "; see --help");
          }
        }
      }
    }
    builder.latency(Duration.ofMillis(latencyMs), Duration.ofMillis(jitterMs));
    if (rps != Double.POSITIVE_INFINITY || mps != Double.POSITIVE_INFINITY) {
      builder.rateLimit(rps, mps);
    }
    AepSimulator simulator = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.close();
      stopped.countDown();
    }, "aep-simulator-shutdown"));
    System.out.println("AepSimulator listening inlet=" + simulator.inletUrl(inlet) + " ims=" + simulator.imsUrl());
    System.out.flush();
    if (untilStdinCloses) {
      while (System.in.read() >= 0) {
        // ignore input; EOF means the parent is gone
      }
      simulator.close();
      System.out.println("AepSimulator stopped: accepted=" + simulator.acceptedCount() + " statuses="
          + simulator.requestsByStatus());
      return;
    }
    stopped.await();
  }
}
