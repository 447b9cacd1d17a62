package dev.aepclient.examples.bench;

import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the Kafka-at-latency sweep's broker and AEP stand-in run. {@link #shared()}: both in the measured JVM, sharing
 * its CPUs with the client (every core pays for the broker's fetches and the simulator's parsing). {@link #pinned()}:
 * each in a JVM of its own, on half of the machine's CPUs, while the measured JVM is pinned to the other half (with
 * {@code taskset}), as a forwarder runs in production: MSK and AEP on other machines, the forwarder's process paying
 * only for its own work. Then the process CPU the harness reports is the client's own.
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
   * {@code messagesPerSecond} are above 0, throttles as AEP does (429 with {@code Retry-After} beyond either rate).
   */
  abstract Inlet simulator(int latencyMs, int requestsPerSecond, int messagesPerSecond) throws Exception;

  /** One line for the report. */
  abstract String describe();

  @Override
  public abstract void close() throws Exception;

  /** The settings of {@link EmbeddedKafkaBroker#producerProperties}, for a broker given by its address. */
  Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    return props;
  }

  /** A forwarder's consumer: nothing but the address, the group, where to start and the deserializers. */
  Properties consumerProperties(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  static LatencyServices shared() {
    return new Shared(EmbeddedKafkaBroker.start());
  }

  /**
   * Pins this JVM to the first half of the CPUs it may use and starts the broker on the second half.
   *
   * @throws IllegalStateException if pinning is not possible here ({@link #whyNotPinned()})
   */
  static LatencyServices pinned() throws IOException, InterruptedException {
    String why = whyNotPinned();
    if (why != null) {
      throw new IllegalStateException("cannot pin: " + why);
    }
    List<Integer> cpus = allowedCpus();
    String client = join(cpus.subList(0, cpus.size() / 2));
    String services = join(cpus.subList(cpus.size() / 2, cpus.size()));
    run(List.of("taskset", "-a", "-p", "-c", client, String.valueOf(ProcessHandle.current().pid())));
    return new Pinned(client, services);
  }

  /** Null when {@link #pinned()} can run here, else why not. */
  static String whyNotPinned() {
    if (!Files.isReadable(Paths.get("/proc/self/status"))) {
      return "no /proc (not Linux)";
    }
    List<Integer> cpus = allowedCpus();
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

  /** The CPUs this process may run on, from {@code Cpus_allowed_list} ("0-3,6"). */
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
      return List.of();
    }
    return cpus;
  }

  private static String join(List<Integer> cpus) {
    return String.join(",", cpus.stream().map(String::valueOf).toList());
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
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
    String describe() {
      return "broker and simulator in this JVM, sharing its CPUs with the client";
    }

    @Override
    public void close() {
      kafka.close();
    }
  }

  private static final class Pinned extends LatencyServices {
    private final String clientCpus;
    private final String serviceCpus;
    private final Process broker;
    private final Writer commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final String bootstrapServers;

    Pinned(String clientCpus, String serviceCpus) throws IOException, InterruptedException {
      this.clientCpus = clientCpus;
      this.serviceCpus = serviceCpus;
      List<String> command = new ArrayList<>(prefix());
      command.addAll(List.of(java(), "-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-cp",
          System.getProperty("java.class.path"), KafkaBrokerMain.class.getName()));
      broker = new ProcessBuilder(command).redirectErrorStream(true).start();
      commands = new OutputStreamWriter(broker.getOutputStream(), StandardCharsets.UTF_8);
      BufferedReader lines = new BufferedReader(new InputStreamReader(broker.getInputStream(),
          StandardCharsets.UTF_8));
      // Drain everything (a full pipe would stall the broker's logging); keep the protocol's lines.
      Thread drain = new Thread(() -> lines.lines().filter(l -> l.startsWith("kafka ") || l.startsWith("ok ")
          || l.startsWith("error ")).forEach(answers::add), "kafka-broker-output");
      drain.setDaemon(true);
      drain.start();
      String first = answer(Duration.ofMinutes(2));
      if (!first.startsWith("kafka bootstrap=")) {
        close();
        throw new IOException("the broker process answered " + first);
      }
      bootstrapServers = first.substring("kafka bootstrap=".length()).trim();
    }

    private List<String> prefix() {
      return List.of("taskset", "-c", serviceCpus);
    }

    private static String java() {
      return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String answer(Duration timeout) throws IOException, InterruptedException {
      String line = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new IOException("no answer from the broker process within " + timeout
            + (broker.isAlive() ? "" : " (it ended with exit " + broker.exitValue() + ")"));
      }
      return line;
    }

    @Override
    String bootstrapServers() {
      return bootstrapServers;
    }

    @Override
    void createTopic(String name, int partitions) throws IOException, InterruptedException {
      commands.write("topic " + name + " " + partitions + "\n");
      commands.flush();
      String answer = answer(Duration.ofMinutes(1));
      if (!answer.equals("ok topic " + name)) {
        throw new IOException("the broker process answered " + answer);
      }
    }

    @Override
    Inlet simulator(int latencyMs, int requestsPerSecond, int messagesPerSecond) throws IOException {
      RealisticBenchmarks.SimulatorProcess sim = RealisticBenchmarks.SimulatorProcess.start(prefix(), latencyMs,
          Math.max(0, requestsPerSecond), Math.max(0, messagesPerSecond));
      return new Inlet() {
        @Override
        public String url() {
          return sim.inletUrl;
        }

        @Override
        public void close() throws InterruptedException {
          sim.close();
        }
      };
    }

    @Override
    String describe() {
      return "broker and simulator in JVMs of their own on CPU " + serviceCpus + "; this JVM (the client's) pinned"
          + " to CPU " + clientCpus;
    }

    @Override
    public void close() throws InterruptedException {
      try {
        commands.close(); // the broker stops when its standard input closes
      } catch (IOException e) {
        // it ended already
      }
      if (!broker.waitFor(60, TimeUnit.SECONDS)) {
        broker.destroyForcibly();
        broker.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
