package dev.aepclient.examples.demo;

import dev.aepclient.AepAuth;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import dev.aepclient.kafka.DeadLetter;
import dev.aepclient.kafka.DeadLetterHandler;
import dev.aepclient.kafka.KafkaDeadLetterHandler;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: Kafka topic → {@link AepKafkaForwarder} → AEP, with live progress and a summary. With no configuration
 * everything runs in this process (a real Kafka broker and {@link AepSimulator}); environment variables switch to the
 * real AEP and/or a real Kafka cluster (see {@code --help}). Against the real AEP the counts are the client's own
 * outcomes (AEP's answers); no simulator is started. A real topic is forwarded to the simulator only on
 * {@code --simulate-aep}, and then under a throw-away consumer group, so the user's offsets stay untouched.
 * Exits 0 when every record is accounted for, 1 when not, 2 on a usage error.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = DemoVersion.class,
    description = {"Forward a Kafka topic to Adobe Experience Platform with aep-client.", "",
        "Embedded by default: an in-process Kafka broker and AepSimulator,",
        "with sample XDM events (a few bad on purpose).", "",
        "Real AEP: set AEP_INLET_URL, AEP_CLIENT_ID, AEP_CLIENT_SECRET and AEP_ORG_ID;",
        "  optional AEP_SANDBOX, AEP_SCOPES, AEP_IMS_URL, and AEP_SCHEMA_ID with",
        "  AEP_DATASET_ID for the sample events' XDM header. The counts are then",
        "  the client's outcomes: AEP's receipts, refusals, and the client's failures.",
        "Real Kafka: set KAFKA_BOOTSTRAP_SERVERS and KAFKA_TOPIC; optional",
        "  KAFKA_CLIENT_PROPERTIES (a file of TLS/SASL/MSK IAM settings),",
        "  KAFKA_GROUP_ID and KAFKA_DLQ_TOPIC. The demo then forwards that topic",
        "  for --duration seconds, or --until-caught-up, showing the consumer lag.",
        "  A real topic needs the real AEP too, unless you add --simulate-aep.", ""},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every record accounted for", "1:not (failures, timeout, lag left)",
        "2:usage or configuration error"})
public final class Demo implements Callable<Integer> {
  /**
   * A realistic distance from AEP is well under a second; past a few seconds the client's own request timeout (30 s)
   * and delivery timeout (2 min, for records queued behind held requests) take over and the demo shows timeouts.
   */
  static final long MAX_LATENCY_MS = 5_000;
  static final int MAX_PARTITIONS = 1_000;
  private static final Duration LAG_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FINAL_LAG_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final int USAGE = 2;

  @Option(names = "--records", description = "sample events to produce (embedded Kafka); default ${DEFAULT-VALUE}")
  long records = 200_000;

  @Option(names = "--rate", description = "produce at most this many records/s; 0 = as fast as possible; default"
      + " ${DEFAULT-VALUE}")
  long rate = 0;

  @Option(names = "--partitions", description = "partitions of the demo topic; default ${DEFAULT-VALUE}")
  int partitions = 6;

  @Option(names = "--batch-records", description = "records per AEP request; default ${DEFAULT-VALUE}")
  int batchRecords = 500;

  @Option(names = "--linger-ms", description = "batch linger; default ${DEFAULT-VALUE}")
  long lingerMs = 10;

  @Option(names = "--in-flight", description = "the most concurrent AEP requests (the adaptive limit's ceiling);"
      + " default ${DEFAULT-VALUE}")
  int inFlight = dev.aepclient.AepStreamingClientBuilder.DEFAULT_MAX_IN_FLIGHT_REQUESTS;

  @Option(names = "--aep-latency-ms", description = "the in-process AepSimulator holds each request this long"
      + " (0 to 5000), to watch the client at a realistic distance from AEP; default ${DEFAULT-VALUE}")
  long aepLatencyMs = 0;

  @Option(names = "--duration", description = "seconds to forward a real Kafka topic; default ${DEFAULT-VALUE}")
  long durationSeconds = 60;

  @Option(names = "--until-caught-up", description = "real Kafka: stop when the consumer lag (end − committed)"
      + " reaches 0, instead of after --duration (at most --timeout)")
  boolean untilCaughtUp;

  @Option(names = "--simulate-aep", description = "real Kafka without AEP_*: forward the topic to the in-process"
      + " AepSimulator anyway, under a throw-away consumer group (deleted at the end) and writing no dead letters,"
      + " so your group's offsets and your topics stay untouched")
  boolean simulateAep;

  @Option(names = "--timeout", description = "give up after this many seconds; default ${DEFAULT-VALUE}")
  long timeoutSeconds = 300;

  private final Map<String, String> environment;
  private final PrintStream out;
  private final PrintStream err;

  /** Reads the process environment and prints to the standard streams. */
  public Demo() {
    this(System.getenv(), System.out, System.err);
  }

  /** For tests: the given environment variables instead of the process's, and the given streams. */
  Demo(Map<String, String> environment, PrintStream out, PrintStream err) {
    this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  public static void main(String[] args) {
    System.exit(commandLine(new Demo()).execute(args));
  }

  /**
   * For tests: runs the command as if {@code environment} were the process environment (pass an empty map for the
   * embedded defaults, whatever the machine running the test has exported) and returns its exit code.
   */
  public static int run(Map<String, String> environment, PrintStream out, PrintStream err, String... args) {
    return commandLine(new Demo(environment, out, err)).execute(args);
  }

  /** The command: a bad option is one line on the error stream and exit status 2, not picocli's usage page. */
  private static CommandLine commandLine(Demo demo) {
    CommandLine cmd = new CommandLine(demo);
    cmd.setOut(new PrintWriter(new OutputStreamWriter(demo.out, Charset.defaultCharset()), true));
    cmd.setErr(new PrintWriter(new OutputStreamWriter(demo.err, Charset.defaultCharset()), true));
    cmd.setParameterExceptionHandler((e, args) -> {
      String hint = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
          ? " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)" : "";
      demo.err.println("demo: " + e.getMessage() + hint + "; ./demo --help lists the options");
      return USAGE;
    });
    return cmd;
  }

  @Override
  public Integer call() throws Exception {
    DemoEnvironment env;
    try {
      env = DemoEnvironment.from(environment);
    } catch (IllegalArgumentException e) {
      err.println("demo: " + e.getMessage());
      return 2;
    }
    String problem = usageProblem(env);
    if (problem == null) {
      problem = clientSettingsProblem(env);
    }
    if (problem != null) {
      err.println("demo: " + problem);
      return USAGE;
    }
    return env.kafka() == null ? runEmbeddedKafka(env) : runRealKafka(env);
  }

  /** What is wrong with this combination of options and environment, or null. */
  private String usageProblem(DemoEnvironment env) {
    if (aepLatencyMs < 0 || aepLatencyMs > MAX_LATENCY_MS) {
      return "--aep-latency-ms must be 0 to " + MAX_LATENCY_MS + ", got " + aepLatencyMs;
    }
    if (records < 0) {
      return "--records must be 0 or more, got " + records;
    }
    if (rate < 0) {
      return "--rate must be 0 (as fast as possible) or more, got " + rate;
    }
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      return "--partitions must be 1 to " + MAX_PARTITIONS + ", got " + partitions;
    }
    if (durationSeconds < 1) {
      return "--duration must be 1 second or more, got " + durationSeconds;
    }
    if (timeoutSeconds < 1) {
      return "--timeout must be 1 second or more, got " + timeoutSeconds;
    }
    if (env.aep() != null && simulateAep) {
      return "--simulate-aep asks for the in-process simulator, but AEP_INLET_URL and its credentials are set:"
          + " drop --simulate-aep to forward to AEP, or unset the AEP_* variables";
    }
    if (env.aep() != null && aepLatencyMs > 0) {
      return "--aep-latency-ms holds requests in the in-process simulator; it does not apply to the real AEP"
          + " (AEP_INLET_URL is set)";
    }
    if (env.kafka() != null && env.aep() == null && !simulateAep) {
      DemoEnvironment.Kafka k = env.kafka();
      return "KAFKA_BOOTSTRAP_SERVERS and KAFKA_TOPIC are set but the AEP_* variables are not. The demo would"
          + " forward your topic " + k.topic() + " to an in-process simulator, where the events reach no AEP, and"
          + " commit consumer group " + k.groupId() + " past them. Set AEP_INLET_URL, AEP_CLIENT_ID,"
          + " AEP_CLIENT_SECRET and AEP_ORG_ID to forward to AEP, or add --simulate-aep to try the simulator under"
          + " a throw-away consumer group (your group's offsets and your topics stay untouched).";
    }
    return null;
  }

  /**
   * The client's own verdict on the options and AEP_* settings, checked before anything starts: its setters check
   * each range (named here by the option that set it), and against the real AEP {@code build()} checks the URLs
   * together (a client built and closed at once; it does no I/O until the first send).
   */
  private String clientSettingsProblem(DemoEnvironment env) {
    AepStreamingClientBuilder probe = AepStreamingClient.builder();
    Map<String, Runnable> options = new LinkedHashMap<>();
    options.put("--batch-records", () -> probe.maxBatchRecords(batchRecords));
    options.put("--linger-ms", () -> probe.linger(Duration.ofMillis(lingerMs)));
    options.put("--in-flight", () -> probe.maxInFlightRequests(inFlight));
    for (Map.Entry<String, Runnable> option : options.entrySet()) {
      try {
        option.getValue().run();
      } catch (IllegalArgumentException e) {
        return option.getKey() + ": " + e.getMessage();
      }
    }
    if (env.aep() != null) {
      try {
        clientBuilder(env, null, new OutcomeCounter()).build().close();
      } catch (IllegalArgumentException e) {
        return "the AEP_* settings: " + e.getMessage();
      }
    }
    return null;
  }

  /** {@code simulator}: the in-process AEP, or null against the real one (and when only checking the settings). */
  private AepStreamingClientBuilder clientBuilder(DemoEnvironment env, AepSimulator simulator,
      OutcomeCounter outcomes) {
    AepStreamingClientBuilder builder = AepStreamingClient.builder().clientName("demo")
        .maxBatchRecords(batchRecords).linger(Duration.ofMillis(lingerMs)).maxInFlightRequests(inFlight)
        .deliveryListener(outcomes);
    if (env.aep() == null) {
      return simulator == null ? builder : builder.inletUrl(simulator.inletUrl());
    }
    DemoEnvironment.Aep aep = env.aep();
    AepAuth.OAuth auth = AepAuth.oauth(aep.clientId(), aep.clientSecret(), aep.orgId());
    if (aep.scopes() != null) {
      auth = auth.scopes(Arrays.stream(aep.scopes().split(",")).map(String::trim).toList());
    }
    builder.inletUrl(aep.inletUrl()).auth(auth);
    if (aep.sandbox() != null) {
      builder.sandbox(aep.sandbox());
    }
    if (aep.imsUrl() != null) {
      builder.imsUrl(aep.imsUrl());
    }
    return builder;
  }

  /** The in-process AEP; {@code --aep-latency-ms} holds every answer that long (on a timer, no thread per hold). */
  private AepSimulator startSimulator() {
    AepSimulator simulator = withLatency(AepSimulator.builder().idPointer(SampleEvents.ID_POINTER),
        Duration.ofMillis(aepLatencyMs)).start();
    simulator.rejectWhen(m -> m.path("header").isMissingNode(), 400,
        "XDM header missing: messages need header.schemaRef");
    return simulator;
  }

  /** Makes the simulator hold every DCS answer for {@code latency}, as a round trip to AEP would. */
  static AepSimulator.Builder withLatency(AepSimulator.Builder builder, Duration latency) {
    return builder.latency(latency, Duration.ZERO);
  }

  private int runEmbeddedKafka(DemoEnvironment env) throws Exception {
    boolean realAep = env.aep() != null;
    String topic = "demo-events";
    String dlq = topic + ".dlq";
    String group = "aep-client-demo";
    printf("aep-client demo: %,d sample XDM events → Kafka (in-process broker) → AepKafkaForwarder → %s%n",
        records, realAep ? env.aep() : "AepSimulator (in-process" + latencyNote() + ")");
    long t0 = System.nanoTime();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator simulator = realAep ? null : startSimulator()) {
      kafka.createTopic(topic, partitions);
      kafka.createTopic(dlq, 1);
      printf("  Kafka broker up at %s, topic %s with %d partitions (%.1f s)%n", kafka.bootstrapServers(), topic,
          partitions, seconds(System.nanoTime() - t0));

      SampleEvents events = realAep && env.aep().schemaId() != null
          ? new SampleEvents(env.aep().schemaId(), env.aep().datasetId()) : new SampleEvents();
      HeapWatcher.reset();
      long start = System.nanoTime();
      Properties producerProps = kafka.producerProperties(StringSerializer.class, StringSerializer.class);
      producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      Thread producer = new Thread(() -> produce(producerProps, topic, events), "demo-producer");
      producer.start();

      OutcomeCounter outcomes = new OutcomeCounter();
      try (AepStreamingClient client = clientBuilder(env, simulator, outcomes).build();
          KafkaProducer<byte[], byte[]> dlqProducer = bytesProducer(kafka.bootstrapServers(), new Properties());
          Admin admin = kafka.admin()) {
        AepKafkaForwarder<byte[], byte[]> forwarder = AepKafkaForwarder.builder(
                bytesConsumer(kafka.bootstrapServers(), group, new Properties()), client)
            .topics(topic)
            .deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, dlq))
            .commitInterval(Duration.ofMillis(200))
            .build()
            .start();
        ConsumerLag lag = new ConsumerLag(admin, topic, group);
        ProgressLine progress = new ProgressLine(out, records, isTerminal());
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        boolean done = false;
        while (!done && System.nanoTime() < deadline && !forwarder.isTerminated()) {
          progress.print(forwarder.metrics(), System.nanoTime() - start, -1);
          if (!producer.isAlive()) {
            done = lagOrUnknown(lag, LAG_TIMEOUT) == 0 && endOffset(admin, topic) == records;
          }
          if (!done) {
            Thread.sleep(250); // the progress line's refresh period
          }
        }
        long elapsed = System.nanoTime() - start;
        forwarder.close();
        producer.interrupt(); // on a timeout or a failure it may still be producing
        producer.join();
        AepKafkaMetrics metrics = forwarder.metrics();
        progress.printNow(metrics, elapsed, -1);
        progress.end();
        forwarder.failure().ifPresent(e -> out.println("forwarder failed: " + e.getMessage()));
        if (!done && forwarder.failure().isEmpty()) {
          printf("stopped after --timeout %d s before every record was forwarded%n", timeoutSeconds);
        }
        Map<String, Integer> reasons = deadLetterReasons(kafka.bootstrapServers(), dlq);
        long deadLettered = reasons.values().stream().mapToInt(Integer::intValue).sum();

        out.println();
        out.println("Summary");
        printf("  produced             %,12d%n", records);
        boolean accounted;
        if (realAep) {
          // The client's own outcomes: what AEP answered, message by message.
          printf("  delivered            %,12d  (AEP's receipts, from AEP's answers)%n", outcomes.delivered());
          printf("  rejected by AEP      %,12d  (AEP's refusals; dead-lettered)%n", outcomes.rejected());
          printFailures(outcomes);
          accounted = done && outcomes.failed() == 0 && outcomes.delivered() + deadLettered == records;
        } else {
          printf("  delivered            %,12d  (distinct ids the simulator accepted)%n",
              simulator.acceptedIds().size());
          accounted = done && simulator.acceptedIds().size() + deadLettered == records;
        }
        printf("  dead-lettered        %,12d%n", deadLettered);
        reasons.forEach((reason, count) -> printf("      %,8d × %s%n", count, reason));
        if (!realAep) {
          printf("  duplicates on wire   %,12d%n", simulator.duplicates());
        }
        printf("  throughput           %,12.0f records/s  (%.1f s)%n", metrics.recordsPolled() / seconds(elapsed),
            seconds(elapsed));
        clientFigures(metrics.client());
        out.println(accounted ? "  every record accounted for: delivered + dead-lettered = produced"
            : "  NOT every record is accounted for");
        return accounted ? 0 : 1;
      }
    }
  }

  private int runRealKafka(DemoEnvironment env) throws Exception {
    DemoEnvironment.Kafka k = env.kafka();
    boolean simulated = env.aep() == null; // only with --simulate-aep, see usageProblem
    // Simulated: a group of its own, so the user's group never sees a commit for data that reached no AEP.
    String group = simulated ? "aep-client-demo-simulated-" + UUID.randomUUID().toString().substring(0, 8)
        : k.groupId();
    Properties adminProps = new Properties();
    adminProps.putAll(k.client());
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
    Admin admin;
    try {
      admin = Admin.create(adminProps); // checks the bootstrap servers and the client settings; connects later
    } catch (KafkaException e) {
      err.println("demo: KAFKA_BOOTSTRAP_SERVERS or KAFKA_CLIENT_PROPERTIES: " + messages(e));
      return USAGE;
    }
    printf("aep-client demo: Kafka %s topic %s (group %s) → AepKafkaForwarder → %s, %s%n", k.bootstrapServers(),
        k.topic(), group, simulated ? "AepSimulator (in-process" + latencyNote() + ")" : env.aep(),
        untilCaughtUp ? "until the consumer lag is 0 (at most " + timeoutSeconds + " s)"
            : "for " + durationSeconds + " s");
    if (simulated) {
      printf("  --simulate-aep: consumer group %s is a throw-away one, deleted at the end; your group %s is not"
          + " touched, and dead letters are counted, not written%s%n", group, k.groupId(),
          k.deadLetterTopic() == null ? "" : " (nothing goes to " + k.deadLetterTopic() + ")");
    }
    Map<String, Integer> reasons = new ConcurrentHashMap<>();
    OutcomeCounter outcomes = new OutcomeCounter();
    boolean writesDeadLetters = !simulated && k.deadLetterTopic() != null;
    // Closed with a bound: Admin.close() waits for every call still pending, a minute each when the broker is gone.
    try (AutoCloseable closesAdmin = () -> admin.close(ADMIN_CLOSE_TIMEOUT);
        AepSimulator simulator = simulated ? startSimulator() : null;
        AepStreamingClient client = clientBuilder(env, simulator, outcomes).build();
        KafkaProducer<byte[], byte[]> dlqProducer = writesDeadLetters
            ? bytesProducer(k.bootstrapServers(), k.client()) : null) {
      AepKafkaForwarder.Builder<byte[], byte[]> builder = AepKafkaForwarder.builder(
          bytesConsumer(k.bootstrapServers(), group, k.client()), client).topics(k.topic())
          .commitInterval(Duration.ofMillis(200));
      if (simulated) {
        builder.deadLetterHandler(letter -> {
          countReason(reasons, letter);
          return CompletableFuture.completedFuture(null);
        });
      } else if (writesDeadLetters) {
        DeadLetterHandler<byte[], byte[]> toTopic = KafkaDeadLetterHandler.to(dlqProducer, k.deadLetterTopic());
        builder.deadLetterHandler(letter -> {
          countReason(reasons, letter);
          return toTopic.handle(letter);
        });
      }
      HeapWatcher.reset();
      AepKafkaForwarder<byte[], byte[]> forwarder = builder.build().start();
      Thread closeOnCtrlC = new Thread(forwarder::close, "demo-shutdown");
      Runtime.getRuntime().addShutdownHook(closeOnCtrlC);
      ConsumerLag lag = new ConsumerLag(admin, k.topic(), group);
      ProgressLine progress = new ProgressLine(out, 0, isTerminal());
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(untilCaughtUp ? timeoutSeconds : durationSeconds);
      long currentLag = -1;
      long lagCheckedAt = 0;
      boolean caughtUp = false;
      boolean kafkaAnswered = false;
      while (System.nanoTime() < end && !forwarder.isTerminated()) {
        long now = System.nanoTime();
        if (now - lagCheckedAt >= 1_000_000_000L || untilCaughtUp) { // a broker round trip: not every refresh
          // Asked within what is left of the run (at least a second), so an unreachable broker cannot stretch it.
          Duration left = Duration.ofNanos(Math.max(1_000_000_000L, end - now));
          currentLag = lagOrUnknown(lag, left.compareTo(LAG_TIMEOUT) < 0 ? left : LAG_TIMEOUT);
          kafkaAnswered |= currentLag >= 0;
          lagCheckedAt = now;
        }
        progress.print(forwarder.metrics(), now - start, currentLag);
        if (untilCaughtUp && currentLag == 0) {
          caughtUp = true;
          break;
        }
        Thread.sleep(250); // the progress line's refresh period
      }
      long elapsed = System.nanoTime() - start;
      forwarder.close();
      removeHook(closeOnCtrlC);
      AepKafkaMetrics metrics = forwarder.metrics();
      long finalLag = lagOrUnknown(lag, FINAL_LAG_TIMEOUT); // after the final commit of close()
      progress.printNow(metrics, elapsed, finalLag);
      progress.end();
      forwarder.failure().ifPresent(e -> out.println("forwarder failed: " + e.getMessage()));
      if (simulated) {
        deleteThrowAwayGroup(admin, group);
      }

      out.println();
      out.println("Summary");
      printf("  delivered            %,12d  (%s)%n", outcomes.delivered(),
          simulated ? "receipts from the in-process simulator" : "AEP's receipts, from AEP's answers");
      printf("  rejected by AEP      %,12d%n", outcomes.rejected());
      printFailures(outcomes);
      printf("  dead-lettered        %,12d%s%n", metrics.recordsDeadLettered(),
          simulated ? "  (counted only)" : k.deadLetterTopic() == null ? "" : "  (to " + k.deadLetterTopic() + ")");
      new TreeMap<>(reasons).forEach((reason, count) -> printf("      %,8d × %s%n", count, reason));
      printf("  consumer lag         %12s  (end − committed, group %s)%n",
          finalLag < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", finalLag), group);
      printf("  ran                  %12.1f s%n", seconds(elapsed));
      clientFigures(metrics.client());
      // Kafka never told the lag: nothing read can be vouched for (an unreachable broker reads nothing, fails nothing).
      kafkaAnswered |= finalLag >= 0;
      boolean ok = forwarder.failure().isEmpty() && outcomes.failed() == 0 && (!untilCaughtUp || caughtUp)
          && kafkaAnswered;
      if (!kafkaAnswered) {
        out.println("  NOT accounted for: Kafka did not tell the consumer lag; check KAFKA_BOOTSTRAP_SERVERS and"
            + " KAFKA_CLIENT_PROPERTIES");
      } else if (untilCaughtUp) {
        out.println(caughtUp ? "  caught up: consumer lag 0, every record read is accounted for"
            : "  NOT caught up within --timeout " + timeoutSeconds + " s");
      } else {
        out.println(ok ? "  every record read is accounted for (delivered or dead-lettered)"
            : "  NOT every record read is accounted for");
      }
      return ok ? 0 : 1;
    }
  }

  /** An exception's messages down its causes, on one line ("Failed to create new KafkaAdminClient" says little). */
  private static String messages(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null && text.length() < 500; t = t.getCause()) {
      if (t.getMessage() != null && text.indexOf(t.getMessage()) < 0) {
        text.append(text.length() == 0 ? "" : ": ").append(t.getMessage().replaceAll("\\s+", " "));
      }
    }
    return text.length() == 0 ? e.getClass().getSimpleName() : text.toString();
  }

  private void printFailures(OutcomeCounter outcomes) {
    printf("  failed               %,12d%s%n", outcomes.failed(),
        outcomes.failed() == 0 ? "  (the client gave up on none)" : "  " + outcomes.failureReasons());
    if (outcomes.firstFailure() != null) {
      printf("      first: %s%n", outcomes.firstFailure());
    }
  }

  private void clientFigures(AepClientMetrics c) {
    printf("  AEP requests         %,12d  (%,d retried, %,d throttled)%n", c.requests(), c.retriedRequests(),
        c.throttledRequests());
    printf("  send→ack latency     p50 %s ms, p99 %s ms%n", millis(c.latencyP50()), millis(c.latencyP99()));
    printf("  peak heap            %,12d MB%n", HeapWatcher.peakBytes() >> 20);
  }

  private String latencyNote() {
    return aepLatencyMs > 0 ? ", holding each request " + aepLatencyMs + " ms" : "";
  }

  private static long lagOrUnknown(ConsumerLag lag, Duration timeout) throws InterruptedException {
    try {
      return lag.current(timeout);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      return -1; // shown as unknown; never taken for "caught up"
    }
  }

  /** Removes the simulated run's group; it is empty once the forwarder's consumer has left. */
  private void deleteThrowAwayGroup(Admin admin, String group) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        admin.deleteConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        last = e;
        Thread.sleep(200); // the broker may not have processed the consumer's leave yet
      } catch (TimeoutException e) {
        last = e;
      }
    }
    printf("  could not delete the throw-away consumer group %s (%s); delete it with kafka-consumer-groups"
        + " --delete --group %s%n", group, last == null ? "timeout" : last.getMessage(), group);
  }

  private static void countReason(Map<String, Integer> reasons, DeadLetter<?, ?> letter) {
    reasons.merge(reasonText(letter.statusCode() == 0 ? "-" : String.valueOf(letter.statusCode()), letter.reason()),
        1, Integer::sum);
  }

  private static String reasonText(String status, String reason) {
    String text = status + " " + reason;
    return text.length() > 110 ? text.substring(0, 110) + "…" : text;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already: the hook is running
    }
  }

  private void produce(Properties producerProps, String topic, SampleEvents events) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      long start = System.nanoTime();
      for (long n = 0; n < records && !Thread.currentThread().isInterrupted(); n++) {
        var unused = producer.send(new ProducerRecord<>(topic, SampleEvents.id(n), events.value(n)));
        if (rate > 0 && n % 1000 == 999) {
          long ahead = start + (n + 1) * 1_000_000_000L / rate - System.nanoTime();
          if (ahead > 0) {
            TimeUnit.NANOSECONDS.sleep(ahead); // pacing the producer to --rate
          }
        }
      }
      producer.flush();
    } catch (InterruptedException | InterruptException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The forwarder's consumer: bytes in, so values reach AEP and the dead-letter topic exactly as stored. */
  private static KafkaConsumer<byte[], byte[]> bytesConsumer(String bootstrap, String group, Properties client) {
    Properties props = consumerProps(bootstrap, group, client);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }

  private static KafkaProducer<byte[], byte[]> bytesProducer(String bootstrap, Properties client) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props);
  }

  private static KafkaConsumer<String, String> consumer(String bootstrap, String group, Properties client) {
    return new KafkaConsumer<>(consumerProps(bootstrap, group, client));
  }

  private static Properties consumerProps(String bootstrap, String group, Properties client) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return props;
  }

  /** Records in the topic: the sum of its partitions' end offsets. */
  private static long endOffset(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
        .forEach(p -> request.put(new TopicPartition(topic, p.partition()),
            OffsetSpec.latest()));
    return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
        .mapToLong(r -> r.offset()).sum();
  }

  /** Reads the dead-letter topic: how many records per reason. */
  private static Map<String, Integer> deadLetterReasons(String bootstrap, String dlq) {
    Map<String, Integer> reasons = new TreeMap<>();
    try (KafkaConsumer<String, String> reader = consumer(bootstrap, "demo-dlq-reader", new Properties())) {
      List<TopicPartition> partitions = List.of(new TopicPartition(dlq, 0));
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      long end = reader.endOffsets(partitions).get(partitions.get(0));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (reader.position(partitions.get(0)) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
          Header status = r.headers().lastHeader(KafkaDeadLetterHandler.HTTP_STATUS);
          Header reason = r.headers().lastHeader(KafkaDeadLetterHandler.REASON);
          String code = status == null ? "?" : new String(status.value(), StandardCharsets.UTF_8);
          reasons.merge(reasonText("0".equals(code) ? "-" : code,
              reason == null ? "" : new String(reason.value(), StandardCharsets.UTF_8)), 1, Integer::sum);
        }
      }
    }
    return reasons;
  }

  private void printf(String format, Object... args) {
    out.print(String.format(Locale.ROOT, format, args));
  }

  /** Whether the progress line may rewrite itself: only on a console, and never when a test captures the output. */
  @SuppressWarnings("SystemConsoleNull") // on Java 17 console() is null exactly off a terminal (isTerminal() is 22+)
  private boolean isTerminal() {
    return out == System.out && System.console() != null;
  }

  private static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toNanos() / 1e6);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
