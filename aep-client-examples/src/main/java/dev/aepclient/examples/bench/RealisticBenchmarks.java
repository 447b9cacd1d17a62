package dev.aepclient.examples.bench;

import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.examples.demo.SampleEvents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The client where users are: AEP tens of milliseconds away and throttling. The simulator runs in a process of its
 * own ({@code AepSimulatorMain}), so this JVM's CPU time is the client's (plus the benchmark loop): reported per
 * message next to throughput. Scenarios: a round-trip sweep, a throttling AEP, a payload-size sweep. Every client
 * runs with default settings unless a scenario says otherwise.
 */
@Command(name = "realistic-benchmarks", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmarks the client against a simulator in its own process, at real round trips and throttled.")
public final class RealisticBenchmarks implements Callable<Integer> {
  @Option(names = "--messages", description = "messages per sweep point; default ${DEFAULT-VALUE}")
  int messages = 500_000;

  @Option(names = "--latencies", split = ",", description = "round trips in ms; default ${DEFAULT-VALUE}")
  List<Integer> latencies = List.of(0, 20, 50, 100, 200);

  @Option(names = "--throttle-seconds", description = "length of the throttled run; default ${DEFAULT-VALUE}")
  int throttleSeconds = 30;

  @Option(names = "--only", split = ",", description = "run only these scenarios: ${COMPLETION-CANDIDATES}")
  List<Scenario> only = List.of();

  enum Scenario { latency, prebuilt, throttled, payload }

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RealisticBenchmarks()).execute(args));
  }

  private boolean runs(Scenario s) {
    return only.isEmpty() || only.contains(s);
  }

  @Override
  public Integer call() throws Exception {
    out.printf("# aep-client at real round trips%n%nJava %s, %d cores; simulator in its own process%n%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    out.println("| scenario | round trip ms | message bytes | messages/s | client CPU µs/msg | p50 ms | p99 ms |"
        + " requests | 429s | in-flight limit at end |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    String[] events = sampleEvents(570);
    if (runs(Scenario.latency)) {
      for (int ms : latencies) {
        try (SimulatorProcess sim = SimulatorProcess.start(ms, 0, 0)) {
          report("defaults, AepMessage.of + send", ms, events, messages, sim, false);
        }
      }
    }
    if (runs(Scenario.prebuilt)) {
      for (int ms : List.of(0, 50)) {
        try (SimulatorProcess sim = SimulatorProcess.start(ms, 0, 0)) {
          report("defaults, pre-built messages", ms, events, messages, sim, true);
        }
      }
    }
    if (runs(Scenario.payload)) {
      for (int size : List.of(200, 570, 5_000, 50_000)) {
        long count = Math.max(2_000, Math.min(messages, 300_000_000L / size));
        try (SimulatorProcess sim = SimulatorProcess.start(50, 0, 0)) {
          report("payload sweep", 50, sampleEvents(size), count, sim, false);
        }
      }
    }
    if (runs(Scenario.throttled)) {
      throttled(events);
    }
    return 0;
  }

  private void report(String name, int latencyMs, String[] events, long count, SimulatorProcess sim,
      boolean prebuilt) throws Exception {
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl).build()) {
      send(client, events, Math.min(count / 10, 20_000), prebuilt); // warm-up at this round trip
      AepClientMetrics before = client.metrics();
      long cpu = processCpuNanos();
      long start = System.nanoTime();
      send(client, events, count, prebuilt);
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpuPerMessage = (processCpuNanos() - cpu) / count;
      AepClientMetrics after = client.metrics();
      out.printf("| %s | %d | %d | %,.0f | %.2f | %.1f | %.1f | %,d | %,d | %s |%n", name, latencyMs,
          events[0].getBytes(StandardCharsets.UTF_8).length, count / seconds, cpuPerMessage / 1000.0,
          after.latencyP50().toNanos() / 1e6, after.latencyP99().toNanos() / 1e6,
          after.requests() - before.requests(), after.throttledRequests() - before.throttledRequests(),
          inFlightLimit(after));
    }
  }

  /** The throttling AEP: 200 requests/s and 20,000 messages/s per inlet, 50 ms away; the client sends flat out. */
  private void throttled(String[] events) throws Exception {
    try (SimulatorProcess sim = SimulatorProcess.start(50, 200, 20_000);
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl).build()) {
      AtomicLong delivered = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long cpu = processCpuNanos();
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(throttleSeconds);
      long sent = 0;
      while (System.nanoTime() < end) {
        var unused = client.send(AepMessage.of(events[(int) (sent++ % events.length)]))
            .whenComplete((d, e) -> (e == null ? delivered : failed).incrementAndGet());
      }
      // Goodput over the sending window only: the flush that drains the buffer afterwards is not throttled traffic.
      long deliveredInWindow = delivered.get();
      double seconds = (System.nanoTime() - start) / 1e9;
      AepClientMetrics m = client.metrics();
      client.flush();
      out.printf("| throttled AEP (200 req/s, 20,000 msg/s): goodput %,.0f msg/s = %.1f %% of the limit;"
              + " %d of %d requests answered 429 (%.1f %%); %d failed | 50 | 570 | %,.0f | %.2f | %.1f | %.1f |"
              + " %,d | %,d | %s |%n", deliveredInWindow / seconds, 100.0 * deliveredInWindow / seconds / 20_000,
          m.throttledRequests(), m.requests(), 100.0 * m.throttledRequests() / Math.max(1, m.requests()),
          failed.get(), deliveredInWindow / seconds, (processCpuNanos() - cpu) / 1000.0 / Math.max(1, sent),
          m.latencyP50().toNanos() / 1e6, m.latencyP99().toNanos() / 1e6, m.requests(), m.throttledRequests(),
          inFlightLimit(m));
    }
  }

  private static void send(AepStreamingClient client, String[] events, long count, boolean prebuilt)
      throws Exception {
    AepMessage[] built = null;
    if (prebuilt) {
      built = new AepMessage[events.length];
      for (int i = 0; i < events.length; i++) {
        built[i] = AepMessage.of(events[i]);
      }
    }
    for (long i = 0; i < count; i++) {
      int at = (int) (i % events.length);
      var unused = client.send(prebuilt ? built[at] : AepMessage.of(events[at]));
    }
    client.flush();
  }

  private static String inFlightLimit(AepClientMetrics m) {
    return String.valueOf(m.inFlightLimit());
  }

  /** 4,096 distinct events of about {@code bytes} UTF-8 bytes each (the demo's events, padded or as they are). */
  private static String[] sampleEvents(int bytes) {
    SampleEvents source = new SampleEvents();
    String[] events = new String[4096];
    for (int i = 0, n = 0; i < events.length; n++) {
      if (SampleEvents.isBad(n)) {
        continue;
      }
      String event = source.value(n);
      int size = event.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < size) {
        event = "{\"_id\":\"" + SampleEvents.id(n) + "\",\"pad\":\"" + "x".repeat(Math.max(0, bytes - 30)) + "\"}";
      } else if (bytes > size + 20) {
        event = event.substring(0, event.length() - 1) + ",\"pad\":\"" + "x".repeat(bytes - size - 10) + "\"}";
      }
      events[i++] = event;
    }
    return events;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** An {@code AepSimulatorMain} in a child JVM on a free loopback port; killed on close. */
  static final class SimulatorProcess implements AutoCloseable {
    final Process process;
    final String inletUrl;

    private SimulatorProcess(Process process, String inletUrl) {
      this.process = process;
      this.inletUrl = inletUrl;
    }

    static SimulatorProcess start(int latencyMs, int requestsPerSecond, int messagesPerSecond) throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      List<String> command = new ArrayList<>(List.of(
          Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp",
          System.getProperty("java.class.path"), "dev.aepclient.testkit.AepSimulatorMain", "--port",
          String.valueOf(port), "--latency-ms", String.valueOf(latencyMs), "--counting"));
      if (requestsPerSecond > 0) {
        command.addAll(List.of("--rate-limit-rps", String.valueOf(requestsPerSecond), "--rate-limit-mps",
            String.valueOf(messagesPerSecond)));
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null) {
        int at = line.indexOf("inlet=");
        if (line.startsWith("AepSimulator listening") && at >= 0) {
          String inlet = line.substring(at + 6).split(" ", -1)[0];
          Thread drain = new Thread(() -> lines.lines().forEach(l -> { }), "simulator-output");
          drain.setDaemon(true);
          drain.start();
          return new SimulatorProcess(process, inlet);
        }
      }
      process.destroyForcibly();
      throw new IOException("the simulator process ended before it listened (exit " + process.exitValue() + ")");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
