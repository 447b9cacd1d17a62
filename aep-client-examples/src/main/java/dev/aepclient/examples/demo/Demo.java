package dev.aepclient.examples.demo;

import dev.aepclient.AepAuth;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import dev.aepclient.kafka.KafkaDeadLetterHandler;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
 * real AEP and/or a real Kafka cluster (see {@code --help}). Exits 0 only when every record is accounted for.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = DemoVersion.class,
    description = {"Forward a Kafka topic to Adobe Experience Platform with aep-client.", "",
        "Embedded by default: an in-process Kafka broker and AepSimulator,",
        "with sample XDM events (a few bad on purpose).", "",
        "Real AEP: set AEP_INLET_URL, AEP_CLIENT_ID, AEP_CLIENT_SECRET and AEP_ORG_ID;",
        "  optional AEP_SANDBOX, AEP_SCOPES, AEP_IMS_URL, and AEP_SCHEMA_ID with",
        "  AEP_DATASET_ID for the sample events' XDM header.",
        "Real Kafka: set KAFKA_BOOTSTRAP_SERVERS and KAFKA_TOPIC; optional",
        "  KAFKA_CLIENT_PROPERTIES (a file of TLS/SASL/MSK IAM settings),",
        "  KAFKA_GROUP_ID and KAFKA_DLQ_TOPIC. The demo then forwards that topic",
        "  for --duration seconds.", ""})
public final class Demo implements Callable<Integer> {
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

  @Option(names = "--in-flight", description = "concurrent AEP requests; default ${DEFAULT-VALUE}")
  int inFlight = 8;

  @Option(names = "--duration", description = "seconds to forward a real Kafka topic; default ${DEFAULT-VALUE}")
  long durationSeconds = 60;

  @Option(names = "--timeout", description = "give up after this many seconds; default ${DEFAULT-VALUE}")
  long timeoutSeconds = 300;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    DemoEnvironment env;
    try {
      env = DemoEnvironment.from(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      return 2;
    }
    return env.kafka() == null ? runEmbeddedKafka(env) : runRealKafka(env);
  }

  private AepStreamingClientBuilder clientBuilder(DemoEnvironment env, AepSimulator simulator) {
    AepStreamingClientBuilder builder = AepStreamingClient.builder().clientName("demo")
        .maxBatchRecords(batchRecords).linger(Duration.ofMillis(lingerMs)).maxInFlightRequests(inFlight);
    if (env.aep() == null) {
      return builder.inletUrl(simulator.inletUrl());
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

  private int runEmbeddedKafka(DemoEnvironment env) throws Exception {
    String topic = "demo-events";
    String dlq = topic + ".dlq";
    out.printf("aep-client demo: %,d sample XDM events → Kafka (in-process broker) → AepKafkaForwarder → %s%n",
        records, env.aep() == null ? "AepSimulator (in-process)" : env.aep());
    long t0 = System.nanoTime();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator simulator = AepSimulator.builder().idPointer(SampleEvents.ID_POINTER).start()) {
      simulator.rejectWhen(m -> m.path("header").isMissingNode(), 400,
          "XDM header missing: messages need header.schemaRef");
      kafka.createTopic(topic, partitions);
      kafka.createTopic(dlq, 1);
      out.printf("  Kafka broker up at %s, topic %s with %d partitions (%.1f s)%n", kafka.bootstrapServers(), topic,
          partitions, seconds(System.nanoTime() - t0));

      SampleEvents events = env.aep() != null && env.aep().schemaId() != null
          ? new SampleEvents(env.aep().schemaId(), env.aep().datasetId()) : new SampleEvents();
      HeapWatcher.reset();
      long start = System.nanoTime();
      Properties producerProps = kafka.producerProperties(StringSerializer.class, StringSerializer.class);
      producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      Thread producer = new Thread(() -> produce(producerProps, topic, events), "demo-producer");
      producer.start();

      try (AepStreamingClient client = clientBuilder(env, simulator).build();
          KafkaProducer<byte[], byte[]> dlqProducer = bytesProducer(kafka.bootstrapServers(), new Properties());
          Admin admin = kafka.admin()) {
        AepKafkaForwarder<byte[], byte[]> forwarder = AepKafkaForwarder.builder(
                bytesConsumer(kafka.bootstrapServers(), "aep-client-demo", new Properties()), client)
            .topics(topic)
            .deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, dlq))
            .commitInterval(Duration.ofMillis(200))
            .build()
            .start();
        Progress progress = new Progress(out, records);
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        boolean done = false;
        while (!done && System.nanoTime() < deadline && !forwarder.isTerminated()) {
          progress.print(forwarder.metrics(), System.nanoTime() - start);
          if (!producer.isAlive()) {
            long end = endOffsets(admin, topic);
            done = end == records && committed(admin, "aep-client-demo") >= end;
          }
          if (!done) {
            Thread.sleep(250); // the progress line's refresh period
          }
        }
        long elapsed = System.nanoTime() - start;
        AepKafkaMetrics metrics = forwarder.metrics();
        forwarder.close();
        producer.join();
        progress.print(metrics, elapsed);
        progress.end();
        if (forwarder.failure().isPresent()) {
          out.println("forwarder failed: " + forwarder.failure().get().getMessage());
        }
        Map<String, Integer> reasons = deadLetterReasons(kafka.bootstrapServers(), dlq);
        int deadLettered = reasons.values().stream().mapToInt(Integer::intValue).sum();
        long deliveredUnique = simulator.acceptedIds().size();
        boolean accounted = done && deliveredUnique + deadLettered == records;
        summary(metrics, elapsed, deliveredUnique, deadLettered, reasons, simulator.duplicates(), accounted);
        return accounted ? 0 : 1;
      }
    }
  }

  private int runRealKafka(DemoEnvironment env) throws Exception {
    DemoEnvironment.Kafka k = env.kafka();
    out.printf("aep-client demo: %s → AepKafkaForwarder → %s, for %d s%n", k,
        env.aep() == null ? "AepSimulator (in-process)" : env.aep(), durationSeconds);
    try (AepSimulator simulator = AepSimulator.builder().idPointer(SampleEvents.ID_POINTER).start();
        AepStreamingClient client = clientBuilder(env, simulator).build();
        KafkaProducer<byte[], byte[]> dlqProducer = bytesProducer(k.bootstrapServers(), k.client())) {
      AepKafkaForwarder.Builder<byte[], byte[]> builder = AepKafkaForwarder.builder(
          bytesConsumer(k.bootstrapServers(), k.groupId(), k.client()), client).topics(k.topic());
      if (k.deadLetterTopic() != null) {
        builder.deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, k.deadLetterTopic()));
      }
      HeapWatcher.reset();
      AepKafkaForwarder<byte[], byte[]> forwarder = builder.build().start();
      Runtime.getRuntime().addShutdownHook(new Thread(forwarder::close));
      Progress progress = new Progress(out, 0);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(durationSeconds);
      while (System.nanoTime() < end && !forwarder.isTerminated()) {
        progress.print(forwarder.metrics(), System.nanoTime() - start);
        Thread.sleep(250); // the progress line's refresh period
      }
      forwarder.close();
      AepKafkaMetrics metrics = forwarder.metrics();
      progress.print(metrics, System.nanoTime() - start);
      progress.end();
      summary(metrics, System.nanoTime() - start, metrics.recordsDelivered(), metrics.recordsDeadLettered(),
          Map.of(), -1, forwarder.failure().isEmpty());
      forwarder.failure().ifPresent(e -> out.println("forwarder failed: " + e.getMessage()));
      return forwarder.failure().isPresent() ? 1 : 0;
    }
  }

  private void produce(Properties producerProps, String topic, SampleEvents events) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      long start = System.nanoTime();
      for (long n = 0; n < records; n++) {
        producer.send(new ProducerRecord<>(topic, SampleEvents.id(n), events.value(n)));
        if (rate > 0 && n % 1000 == 999) {
          long ahead = start + (n + 1) * 1_000_000_000L / rate - System.nanoTime();
          if (ahead > 0) {
            TimeUnit.NANOSECONDS.sleep(ahead); // pacing the producer to --rate
          }
        }
      }
      producer.flush();
    } catch (InterruptedException e) {
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

  private static long endOffsets(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
        .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
        .mapToLong(r -> r.offset()).sum();
  }

  private static long committed(Admin admin, String group) throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .values().stream().filter(o -> o != null).mapToLong(o -> o.offset()).sum();
  }

  /** Reads the dead-letter topic: how many records per reason. */
  private static Map<String, Integer> deadLetterReasons(String bootstrap, String dlq) {
    Map<String, Integer> reasons = new TreeMap<>();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<String, String> reader = consumer(bootstrap, "demo-dlq-reader", props)) {
      List<TopicPartition> partitions = List.of(new TopicPartition(dlq, 0));
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      long end = reader.endOffsets(partitions).get(partitions.get(0));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (reader.position(partitions.get(0)) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
          Header status = r.headers().lastHeader(KafkaDeadLetterHandler.HTTP_STATUS);
          Header reason = r.headers().lastHeader(KafkaDeadLetterHandler.REASON);
          String text = (status == null ? "?" : new String(status.value(), StandardCharsets.UTF_8)) + " "
              + (reason == null ? "" : new String(reason.value(), StandardCharsets.UTF_8));
          reasons.merge(text.length() > 110 ? text.substring(0, 110) + "…" : text, 1, Integer::sum);
        }
      }
    }
    return reasons;
  }

  private void summary(AepKafkaMetrics metrics, long elapsedNanos, long deliveredUnique, long deadLettered,
      Map<String, Integer> reasons, long duplicates, boolean accounted) {
    AepClientMetrics c = metrics.client();
    double secs = seconds(elapsedNanos);
    out.println();
    out.println("Summary");
    if (records > 0 && reasons != null && duplicates >= 0) {
      out.printf("  produced             %,12d%n", records);
    }
    out.printf("  delivered            %,12d%s%n", deliveredUnique, duplicates >= 0 ? "  (distinct ids AEP accepted)" : "");
    out.printf("  dead-lettered        %,12d%n", deadLettered);
    for (Map.Entry<String, Integer> r : reasons.entrySet()) {
      out.printf("      %,8d × %s%n", r.getValue(), r.getKey());
    }
    if (duplicates >= 0) {
      out.printf("  duplicates on wire   %,12d%n", duplicates);
    }
    out.printf("  throughput           %,12.0f records/s  (%.1f s)%n", metrics.recordsPolled() / secs, secs);
    out.printf("  AEP requests         %,12d  (%,d retried, %,d throttled)%n", c.requests(), c.retriedRequests(),
        c.throttledRequests());
    out.printf("  send→ack latency     p50 %s ms, p99 %s ms%n", millis(c.latencyP50()), millis(c.latencyP99()));
    out.printf("  peak heap            %,12d MB%n", HeapWatcher.peakBytes() >> 20);
    out.println(accounted ? "  every record accounted for: delivered + dead-lettered = produced"
        : "  NOT every record is accounted for");
  }

  private static String millis(Duration d) {
    return String.format("%.1f", d.toNanos() / 1e6);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** The live progress line. */
  static final class Progress {
    private final PrintStream out;
    private final long total;
    private final boolean terminal = System.console() != null;
    private long lastPrinted;

    Progress(PrintStream out, long total) {
      this.out = out;
      this.total = total;
    }

    void print(AepKafkaMetrics m, long elapsedNanos) {
      if (!terminal && elapsedNanos - lastPrinted < 2_000_000_000L && lastPrinted != 0) {
        return;
      }
      lastPrinted = Math.max(1, elapsedNanos);
      double secs = Math.max(0.001, seconds(elapsedNanos));
      String line = String.format("[%5.1fs] delivered %,d%s | %,.0f rec/s | in flight %d req | buffered %,d KB |"
              + " dead letters %,d | paused %d", secs, m.recordsDelivered(),
          total > 0 ? " / " + String.format("%,d", total) : "", m.recordsDelivered() / secs,
          m.client().inFlightRequests(), m.client().bufferedBytes() >> 10, m.recordsDeadLettered(),
          m.pausedPartitions().size());
      if (terminal) {
        out.print("\r" + line + "   ");
      } else {
        out.println(line);
      }
      out.flush();
    }

    void end() {
      if (terminal) {
        out.println();
      }
    }
  }

  /** For tests: runs the command and returns its exit code. */
  public static int run(String... args) {
    return new CommandLine(new Demo()).execute(args);
  }

}
