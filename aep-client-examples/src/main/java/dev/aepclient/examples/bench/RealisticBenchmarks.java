package dev.aepclient.examples.bench;

import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
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
import java.util.Map;
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

  @Option(names = "--warmup", description = "warm-up messages per round, for each client (JIT, connections, the"
      + " in-flight limit's ramp); default: a tenth of --messages, at most ${DEFAULT-VALUE}")
  long warmup = 100_000;

  @Option(names = "--warmup-rounds", description = "most warm-up rounds of --warmup messages before a row (at least"
      + " four are run), ended early once the JIT compiler settles; default ${DEFAULT-VALUE}")
  int warmupRounds = 20;

  @Option(names = "--fixed-in-flight", description = "turn the adaptive limit off: this many requests in flight"
      + " (tells whether the limit or the CPU bounds throughput)")
  Integer fixedInFlight;

  @Option(names = "--paced-rate", description = "messages/s of the 'paced' scenario's producer; default ${DEFAULT-VALUE}")
  int pacedRate = 100_000;

  enum Scenario { latency, prebuilt, throttled, payload, transport, paced }

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
    String[] events = sampleEvents(570);
    ofCost(events);
    out.println("| scenario | round trip ms | message bytes | messages/s | client CPU µs/msg | without JIT |"
        + " caller | simulator CPU µs/msg | p50 ms | p99 ms | requests | 429s | in-flight limit at end |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
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
    if (runs(Scenario.transport)) {
      transport(events);
    }
    if (runs(Scenario.paced)) {
      // A producer below what the client can send: messages wait about a round trip, not in a full 64 MiB buffer,
      // so what a message costs is not inflated by the GC copying a full buffer of live messages.
      for (int ms : List.of(50, 200)) {
        try (SimulatorProcess sim = SimulatorProcess.start(ms, 0, 0)) {
          pacing = pacedRate;
          report("AepMessage.of + send, producer paced at " + String.format("%,d", pacedRate) + " msg/s", ms,
              events, messages, sim, false);
        } finally {
          pacing = 0;
        }
      }
    }
    out.println();
    out.println("Where the CPU went (thread CPU by group, µs per message; 'main' is the caller: AepMessage.of +"
        + " send; 'client' the client's io/scheduler threads; OkHttp its TaskRunner; GC and JIT the JVM's):");
    breakdowns.forEach(b -> out.println("- " + b));
    transportNotes.forEach(t -> out.println("- " + t));
    return 0;
  }

  private void report(String name, int latencyMs, String[] events, long count, SimulatorProcess sim,
      boolean prebuilt) throws Exception {
    report(name, latencyMs, events, count, sim, prebuilt, b -> { });
  }

  private void report(String name, int latencyMs, String[] events, long count, SimulatorProcess sim,
      boolean prebuilt, java.util.function.Consumer<AepStreamingClientBuilder> settings) throws Exception {
    AepStreamingClientBuilder builder = AepStreamingClient.builder().inletUrl(sim.inletUrl);
    settings.accept(builder);
    if (fixedInFlight != null) {
      builder.adaptiveConcurrency(false).maxInFlightRequests(fixedInFlight);
      name = name + ", fixed " + fixedInFlight + " in flight";
    }
    try (AepStreamingClient client = builder.build()) {
      warmUp(client, events, Math.min(count / 10, warmup), prebuilt); // at this round trip
      AepClientMetrics before = client.metrics();
      long cpu = processCpuNanos();
      Map<String, Long> threadsBefore = ThreadCpu.byGroup();
      long simCpu = sim.cpuNanos();
      long kernel = ThreadCpu.kernelNanos();
      long start = System.nanoTime();
      send(client, events, count, prebuilt);
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpuPerMessage = (processCpuNanos() - cpu) / count;
      Map<String, Long> threads = ThreadCpu.since(threadsBefore);
      long simPerMessage = (sim.cpuNanos() - simCpu) / count;
      long kernelPerMessage = (ThreadCpu.kernelNanos() - kernel) / count;
      AepClientMetrics after = client.metrics();
      out.printf("| %s | %d | %d | %,.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %,d | %,d | %s |%n", name,
          latencyMs, events[0].getBytes(StandardCharsets.UTF_8).length, count / seconds, cpuPerMessage / 1000.0,
          (cpuPerMessage - threads.getOrDefault("JIT", 0L) / (double) count) / 1000.0,
          threads.getOrDefault("main", 0L) / 1000.0 / count, simPerMessage / 1000.0,
          after.latencyP50().toNanos() / 1e6, after.latencyP99().toNanos() / 1e6,
          after.requests() - before.requests(), after.throttledRequests() - before.throttledRequests(),
          inFlightLimit(after));
      breakdowns.add(String.format("%s at %d ms: client JVM %.2f µs/msg (%.2f in the kernel) = %s; simulator process %.2f µs/msg;"
              + " machine busy %.0f %% of %d cores (client %.0f %%, simulator %.0f %%)", name, latencyMs,
          cpuPerMessage / 1000.0, kernelPerMessage / 1000.0, ThreadCpu.describe(threads, count), simPerMessage / 1000.0,
          100.0 * (cpuPerMessage + simPerMessage) * count / 1e9 / seconds / CORES, CORES,
          100.0 * cpuPerMessage * count / 1e9 / seconds / CORES, 100.0 * simPerMessage * count / 1e9 / seconds / CORES)
          + "; warm-up " + warmups.get(warmups.size() - 1));
    }
  }

  /**
   * Transport choices at 50 ms, pre-built messages: connections opened (counted by an OkHttp {@code EventListener}
   * on a client passed with {@code httpClient}: with the pool the client builds for itself, 66 idle connections, and
   * with OkHttp's default pool of 5), and gzip's CPU against the bytes it saves.
   */
  private void transport(String[] events) throws Exception {
    long count = Math.min(messages, 500_000);
    for (int pool : new int[] {66, 5}) {
      AtomicLong connects = new AtomicLong();
      okhttp3.OkHttpClient http = new okhttp3.OkHttpClient.Builder()
          .connectionPool(new okhttp3.ConnectionPool(pool, 5, TimeUnit.MINUTES))
          .eventListener(new okhttp3.EventListener() {
            @Override
            public void connectStart(okhttp3.Call call, java.net.InetSocketAddress address, java.net.Proxy proxy) {
              connects.incrementAndGet();
            }
          }).build();
      try (SimulatorProcess sim = SimulatorProcess.start(50, 0, 0)) {
        report("pre-built, httpClient with a pool of " + pool + " idle connections", 50, events, count, sim, true,
            b -> b.httpClient(http));
      }
      transportNotes.add(String.format("pool of %d idle connections: %,d connections opened for %,d + warm-up"
          + " messages", pool, connects.get(), count));
      http.dispatcher().executorService().shutdown();
    }
    try (SimulatorProcess sim = SimulatorProcess.start(50, 0, 0)) {
      report("pre-built, gzip(true)", 50, events, count, sim, true, b -> b.gzip(true));
    }
    // What gzip saves on these messages: one 500-message body, as the client would send it.
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    raw.writeBytes("{\"messages\":[".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 500; i++) {
      raw.writeBytes(((i == 0 ? "" : ",") + events[i * 7 % events.length]).getBytes(StandardCharsets.UTF_8));
    }
    raw.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
      raw.writeTo(gz);
    }
    transportNotes.add(String.format("gzip of a 500-message body: %,d -> %,d bytes (%.1f %%; %.0f bytes per"
        + " message instead of %.0f)", raw.size(), zipped.size(), 100.0 * zipped.size() / raw.size(),
        zipped.size() / 500.0, raw.size() / 500.0));
  }

  private final List<String> transportNotes = new ArrayList<>();

  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private final List<String> breakdowns = new ArrayList<>();

  /**
   * What {@code AepMessage.of} alone costs the caller's thread (thread CPU), so the caller's share of a sweep row
   * can be split into building messages and {@code send}. The strings are built beforehand, as in every row.
   */
  private void ofCost(String[] events) {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    long n = 2_000_000;
    for (int round = 0; round < 2; round++) { // the first round warms the JIT
      long cpu = mx.getCurrentThreadCpuTime();
      for (long i = 0; i < n; i++) {
        sink += AepMessage.of(events[(int) (i % events.length)]).sizeInBytes();
      }
      if (round == 1) {
        out.printf("AepMessage.of(String) alone: %.2f µs/msg of the caller's thread CPU (checksum %d)%n%n",
            (mx.getCurrentThreadCpuTime() - cpu) / 1000.0 / n, sink);
      }
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
              + " %d of %d requests answered 429 (%.1f %%); %d failed | 50 | 570 | %,.0f | %.2f | | | | %.1f | %.1f |"
              + " %,d | %,d | %s |%n", deliveredInWindow / seconds, 100.0 * deliveredInWindow / seconds / 20_000,
          m.throttledRequests(), m.requests(), 100.0 * m.throttledRequests() / Math.max(1, m.requests()),
          failed.get(), deliveredInWindow / seconds, (processCpuNanos() - cpu) / 1000.0 / Math.max(1, sent),
          m.latencyP50().toNanos() / 1e6, m.latencyP99().toNanos() / 1e6, m.requests(), m.throttledRequests(),
          inFlightLimit(m));
    }
  }

  /**
   * Warm-up at the row's round trip: rounds of {@code minimum} messages (10,000 at least), four rounds at least (the
   * simulator process is new for each row), until the JIT compiler settles (compiled less than 2 % of a round's
   * time; at most {@code --warmup-rounds} rounds). On two cores C2 keeps compiling the client for ten seconds and more, so
   * without this a row measures the compiler (2 µs/msg and more seen) and code not yet compiled, not the client's
   * steady state; rows still report the JIT's share that remains.
   */
  private void warmUp(AepStreamingClient client, String[] events, long minimum, boolean prebuilt) throws Exception {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long round = Math.max(minimum, 10_000);
    int rounds = 0;
    for (; rounds < warmupRounds; rounds++) {
      long compiled = jit.getTotalCompilationTime();
      long start = System.nanoTime();
      send(client, events, round, prebuilt);
      double wallMs = (System.nanoTime() - start) / 1e6;
      if (rounds + 1 >= WARMUP_MIN_ROUNDS && jit.getTotalCompilationTime() - compiled < 0.02 * wallMs) {
        break;
      }
    }
    warmups.add(String.format("%,d messages in %d rounds", round * Math.min(rounds + 1, warmupRounds),
        Math.min(rounds + 1, warmupRounds)));
  }

  private final List<String> warmups = new ArrayList<>();

  /** Warm-up rounds at least: the simulator is a fresh process for each row, and its JIT has to settle too. */
  private static final int WARMUP_MIN_ROUNDS = 4;

  /** Messages/s of the producer in {@link #send}; 0: flat out. */
  private static int pacing;

  private static void send(AepStreamingClient client, String[] events, long count, boolean prebuilt)
      throws Exception {
    long start = System.nanoTime();
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
      if (pacing > 0 && i % 100 == 99) {
        long due = start + (i + 1) * 1_000_000_000L / pacing;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
      }
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

  /**
   * An {@code AepSimulatorMain} in a child JVM on a free loopback port; stopped on close, and by itself when this
   * JVM ends (its standard input closes).
   */
  static final class SimulatorProcess implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 60;
    final Process process;
    final String inletUrl;

    private SimulatorProcess(Process process, String inletUrl) {
      this.process = process;
      this.inletUrl = inletUrl;
    }

    long cpuNanos() {
      return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /** The {@code java} launcher of this JVM, for child JVMs. */
    static String javaCommand() {
      return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    static SimulatorProcess start(int latencyMs, int requestsPerSecond, int messagesPerSecond) throws IOException {
      return start(List.of(), latencyMs, requestsPerSecond, messagesPerSecond);
    }

    /** The same, its command after {@code prefix} (such as {@code taskset -c 1}). */
    static SimulatorProcess start(List<String> prefix, int latencyMs, int requestsPerSecond, int messagesPerSecond)
        throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      List<String> command = new ArrayList<>(prefix);
      command.addAll(List.of(javaCommand(), "-Xmx1g", "-cp", System.getProperty("java.class.path")));
      String simulatorOptions = System.getProperty("bench.simulator.jvm"); // e.g. a JFR recording of the simulator
      if (simulatorOptions != null && !simulatorOptions.isBlank()) {
        command.addAll(prefix.size() + 1, List.of(simulatorOptions.trim().split("\\s+")));
      }
      command.addAll(List.of("dev.aepclient.testkit.AepSimulatorMain", "--port", String.valueOf(port),
          "--latency-ms", String.valueOf(latencyMs), "--counting", "--until-stdin-closes"));
      if (requestsPerSecond > 0) {
        command.addAll(List.of("--rate-limit-rps", String.valueOf(requestsPerSecond), "--rate-limit-mps",
            String.valueOf(messagesPerSecond)));
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      // Read (and keep draining) the child's output on a thread of its own, so a child that never listens cannot
      // hang this one: wait for the line with a timeout.
      java.util.concurrent.CompletableFuture<String> listening = new java.util.concurrent.CompletableFuture<>();
      java.util.Deque<String> last = new java.util.concurrent.ConcurrentLinkedDeque<>();
      Thread drain = new Thread(() -> {
        try {
          for (String line; (line = lines.readLine()) != null; ) {
            int at = line.indexOf("inlet=");
            if (!listening.isDone() && line.startsWith("AepSimulator listening") && at >= 0) {
              listening.complete(line.substring(at + 6).split(" ", -1)[0]);
            } else if (!listening.isDone()) {
              last.addLast(line);
              if (last.size() > 20) {
                last.pollFirst();
              }
            }
          }
        } catch (IOException e) {
          // the child ended
        }
        listening.complete(null);
      }, "simulator-output");
      drain.setDaemon(true);
      drain.start();
      String inlet;
      try {
        inlet = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        inlet = null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        inlet = null;
      }
      if (inlet == null) {
        process.destroyForcibly();
        throw new IOException("the simulator process did not listen within " + START_TIMEOUT_SECONDS + " s"
            + (process.isAlive() ? "" : " (it ended)") + "; its last output: " + String.join(" | ", last));
      }
      return new SimulatorProcess(process, inlet);
    }

    @Override
    public void close() throws InterruptedException {
      try {
        process.getOutputStream().close(); // --until-stdin-closes: it stops by itself
      } catch (IOException e) {
        // it ended already
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy(); // SIGTERM: a JFR recording of the simulator is written on the way out
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
