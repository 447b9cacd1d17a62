package dev.aepclient.examples.bench;

import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the Kafka-at-latency sweep's broker and AEP stand-ins run. {@link #shared()}: both in the measured JVM,
 * sharing its CPUs with the client (every core pays for the broker's fetches and the simulator's parsing).
 * {@link #pinned()}: each in a JVM of its own on half of the CPUs this process may use, and this JVM pinned to the
 * other half (with {@code taskset}) until {@link #close()}, as a forwarder runs in production: MSK and AEP on other
 * machines, the forwarder's process paying only for its own work. Then the process CPU the harness measures is the
 * client's own, and {@link #servicesCpuNanos()} is what the stand-ins used meanwhile.
 */
abstract class LatencyServices implements AutoCloseable {
  /** A running AEP stand-in; close it to stop it. */
  interface Inlet extends AutoCloseable {
    String url();

    @Override
    void close() throws Exception;
  }

  abstract String bootstrapServers();

  /** Creates a topic with replication factor 1 and waits until every partition has its leader. */
  abstract void createTopic(String name, int partitions) throws Exception;

  /**
   * A counting simulator that holds every answer for {@code latencyMs} and, when {@code requestsPerSecond} and
   * {@code messagesPerSecond} are both above 0, throttles as AEP does (429 with {@code Retry-After} beyond either).
   */
  abstract Inlet simulator(int latencyMs, int requestsPerSecond, int messagesPerSecond) throws Exception;

  /** CPU used so far by the broker and every simulator of their own processes; -1 when they run in this JVM. */
  abstract long servicesCpuNanos();

  /** How many CPUs this JVM runs on. */
  abstract int clientCpus();

  /** How many CPUs the broker and the simulators run on; 0 when they share this JVM's. */
  abstract int serviceCpus();

  /** One line for the report. */
  abstract String describe();

  @Override
  public abstract void close() throws Exception;

  /** {@link EmbeddedKafkaBroker#producerProperties} for this broker, String keys and values. */
  Properties producerProperties() {
    return EmbeddedKafkaBroker.producerProperties(bootstrapServers(), StringSerializer.class, StringSerializer.class);
  }

  /**
   * A forwarder's consumer with the defaults the sweep measures: {@link EmbeddedKafkaBroker#consumerProperties}
   * (address, group, earliest, byte[] deserializers) without {@code enable.auto.commit}, which
   * {@code AepKafkaForwarder.builder(Properties, …)} sets itself.
   */
  Properties consumerProperties(String group) {
    Properties props = EmbeddedKafkaBroker.consumerProperties(bootstrapServers(), group, ByteArrayDeserializer.class,
        ByteArrayDeserializer.class);
    props.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    return props;
  }

  static LatencyServices shared() {
    return new Shared(EmbeddedKafkaBroker.start());
  }

  /**
   * Starts the broker on the second half of the CPUs this process may use, then pins this JVM to the first half.
   *
   * @throws IllegalStateException if pinning is not possible here ({@link #whyNotPinned()}) or fails
   * @throws IOException if the broker process does not come up
   */
  static LatencyServices pinned() throws IOException, InterruptedException {
    String why = whyNotPinned();
    if (why != null) {
      throw new IllegalStateException("cannot pin: " + why);
    }
    List<Integer> cpus = allowedCpus();
    return new Pinned(join(cpus), join(cpus.subList(0, cpus.size() / 2)),
        join(cpus.subList(cpus.size() / 2, cpus.size())), cpus.size() / 2, cpus.size() - cpus.size() / 2);
  }

  /** Null when {@link #pinned()} can run here, else why not. */
  static String whyNotPinned() {
    if (!Files.isReadable(Paths.get("/proc/self/status"))) {
      return "no /proc/self/status (not Linux)";
    }
    List<Integer> cpus = allowedCpus();
    if (cpus == null) {
      return "could not read Cpus_allowed_list from /proc/self/status";
    }
    if (cpus.size() < 2) {
      return "this process may use " + cpus.size() + " CPU";
    }
    try {
      run(List.of("taskset", "-V"));
    } catch (IOException | InterruptedException | IllegalStateException e) {
      return "no taskset (util-linux): " + e.getMessage();
    }
    return null;
  }

  /** The CPUs this process may run on, from {@code Cpus_allowed_list} ("0-3,6"); null if it cannot be read. */
  private static List<Integer> allowedCpus() {
    List<Integer> cpus = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          for (String range : line.substring(line.indexOf(':') + 1).trim().split(",")) {
            String[] ends = range.split("-");
            int from = Integer.parseInt(ends[0].trim());
            int to = ends.length > 1 ? Integer.parseInt(ends[1].trim()) : from;
            for (int cpu = from; cpu <= to; cpu++) {
              cpus.add(cpu);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return cpus.isEmpty() ? null : cpus;
  }

  private static String join(List<Integer> cpus) {
    return String.join(",", cpus.stream().map(String::valueOf).toList());
  }

  /** Runs a short command; its output goes to a file read only on failure (a full pipe cannot stall it). */
  private static void run(List<String> command) throws IOException, InterruptedException {
    File output = File.createTempFile("bench-command", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not end within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
            + Files.readString(output.toPath()).trim());
      }
    } finally {
      Files.deleteIfExists(output.toPath());
    }
  }

  /**
   * Sets the CPUs of every thread of this JVM (threads started later inherit them from their creator). Tried three
   * times: {@code taskset -a} stops at a thread that ended while it ran.
   */
  private static void pinThisJvm(String cpus) throws IOException, InterruptedException {
    List<String> command = List.of("taskset", "-a", "-p", "-c", cpus, String.valueOf(ProcessHandle.current().pid()));
    for (int attempt = 1; ; attempt++) {
      try {
        run(command);
        return;
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static final class Shared extends LatencyServices {
    private final EmbeddedKafkaBroker kafka;

    Shared(EmbeddedKafkaBroker kafka) {
      this.kafka = kafka;
    }

    @Override
    String bootstrapServers() {
      return kafka.bootstrapServers();
    }

    @Override
    void createTopic(String name, int partitions) {
      kafka.createTopic(name, partitions);
    }

    @Override
    Inlet simulator(int latencyMs, int requestsPerSecond, int messagesPerSecond) {
      AepSimulator.Builder builder = AepSimulator.builder().countingMode(true).threads(16)
          .latency(Duration.ofMillis(latencyMs), Duration.ZERO);
      if (requestsPerSecond > 0 && messagesPerSecond > 0) {
        builder.rateLimit(requestsPerSecond, messagesPerSecond);
      }
      AepSimulator sim = builder.start();
      return new Inlet() {
        @Override
        public String url() {
          return sim.inletUrl();
        }

        @Override
        public void close() {
          sim.close();
        }
      };
    }

    @Override
    long servicesCpuNanos() {
      return -1;
    }

    @Override
    int clientCpus() {
      return Runtime.getRuntime().availableProcessors();
    }

    @Override
    int serviceCpus() {
      return 0;
    }

    @Override
    String describe() {
      return "broker and simulator in this JVM, sharing its CPUs with the client";
    }

    @Override
    public void close() {
      kafka.close();
    }
  }

  private static final class Pinned extends LatencyServices {
    private final String originalCpus;
    private final String clientCpus;
    private final String serviceCpus;
    private final int clientCpuCount;
    private final int serviceCpuCount;
    private final Process broker;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Deque<String> brokerLog = new ConcurrentLinkedDeque<>(); // its last lines, for error messages
    private final List<RealisticBenchmarks.SimulatorProcess> simulators = new ArrayList<>();
    private long endedSimulatorsCpuNanos;
    private final String bootstrapServers;
    private boolean pinned;

    Pinned(String originalCpus, String clientCpus, String serviceCpus, int clientCpuCount, int serviceCpuCount)
        throws IOException, InterruptedException {
      this.originalCpus = originalCpus;
      this.clientCpus = clientCpus;
      this.serviceCpus = serviceCpus;
      this.clientCpuCount = clientCpuCount;
      this.serviceCpuCount = serviceCpuCount;
      List<String> command = new ArrayList<>(prefix());
      command.addAll(List.of(RealisticBenchmarks.SimulatorProcess.javaCommand(), "-Xms1g", "-Xmx1g",
          "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), KafkaBrokerMain.class.getName()));
      broker = new ProcessBuilder(command).start();
      commands = new OutputStreamWriter(broker.getOutputStream(), StandardCharsets.UTF_8);
      drain(broker.getInputStream(), replies::add, "kafka-broker-replies");
      drain(broker.getErrorStream(), line -> {
        brokerLog.addLast(line);
        if (brokerLog.size() > 20) {
          brokerLog.pollFirst();
        }
      }, "kafka-broker-log");
      try {
        String first = reply(Duration.ofMinutes(2));
        if (!first.startsWith("kafka bootstrap=")) {
          throw new IOException("the broker process answered " + first);
        }
        bootstrapServers = first.substring("kafka bootstrap=".length()).trim();
        pinned = true; // before: a pinning that fails halfway is undone by close()
        pinThisJvm(clientCpus);
      } catch (IOException | InterruptedException | RuntimeException e) {
        try {
          close();
        } catch (IOException | InterruptedException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    private static void drain(InputStream stream, java.util.function.Consumer<String> sink, String name) {
      BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
      Thread t = new Thread(() -> lines.lines().forEach(sink), name);
      t.setDaemon(true);
      t.start();
    }

    private List<String> prefix() {
      return List.of("taskset", "-c", serviceCpus);
    }

    /** The broker's next reply; fails early when the broker ends, with its last log lines. */
    private String reply(Duration timeout) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String line = replies.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          return line;
        }
        if (!broker.isAlive() && replies.isEmpty()) {
          throw new IOException("the broker process ended (exit " + broker.exitValue() + "); its last lines: "
              + String.join(" | ", brokerLog));
        }
      }
      throw new IOException("no reply from the broker process within " + timeout + "; its last lines: "
          + String.join(" | ", brokerLog));
    }

    @Override
    String bootstrapServers() {
      return bootstrapServers;
    }

    @Override
    void createTopic(String name, int partitions) throws IOException, InterruptedException {
      commands.write("topic " + name + " " + partitions + "\n");
      commands.flush();
      String reply = reply(Duration.ofMinutes(2)); // the broker's own waits are 30 s + 30 s
      if (!reply.equals("ok topic " + name)) {
        throw new IOException("the broker process answered " + reply);
      }
    }

    @Override
    Inlet simulator(int latencyMs, int requestsPerSecond, int messagesPerSecond) throws IOException {
      if ((requestsPerSecond > 0) != (messagesPerSecond > 0)) {
        throw new IllegalArgumentException("throttle with both rates above 0, or neither");
      }
      RealisticBenchmarks.SimulatorProcess sim = RealisticBenchmarks.SimulatorProcess.start(prefix(), latencyMs,
          Math.max(0, requestsPerSecond), Math.max(0, messagesPerSecond));
      synchronized (simulators) {
        simulators.add(sim);
      }
      return new Inlet() {
        @Override
        public String url() {
          return sim.inletUrl;
        }

        @Override
        public void close() throws InterruptedException {
          long cpu = sim.cpuNanos(); // an ended process has no CPU figure
          synchronized (simulators) {
            if (simulators.remove(sim)) {
              endedSimulatorsCpuNanos += cpu;
            }
          }
          sim.close();
        }
      };
    }

    @Override
    long servicesCpuNanos() {
      long total = broker.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
      synchronized (simulators) {
        total += endedSimulatorsCpuNanos;
        for (RealisticBenchmarks.SimulatorProcess sim : simulators) {
          total += sim.cpuNanos();
        }
      }
      return total;
    }

    @Override
    int clientCpus() {
      return clientCpuCount;
    }

    @Override
    int serviceCpus() {
      return serviceCpuCount;
    }

    @Override
    String describe() {
      return "broker and simulator in JVMs of their own on CPU " + serviceCpus + "; this JVM (the client's) pinned"
          + " to CPU " + clientCpus;
    }

    /** Stops the broker (its standard input closes) and gives this JVM its CPUs back. */
    @Override
    public void close() throws InterruptedException, IOException {
      try {
        commands.close();
      } catch (IOException e) {
        // it ended already
      }
      if (!broker.waitFor(60, TimeUnit.SECONDS)) {
        broker.destroyForcibly(); // its log directory then stays in the temporary directory
        broker.waitFor(10, TimeUnit.SECONDS);
      }
      if (pinned) {
        pinThisJvm(originalCpus);
        pinned = false;
      }
    }
  }
}
