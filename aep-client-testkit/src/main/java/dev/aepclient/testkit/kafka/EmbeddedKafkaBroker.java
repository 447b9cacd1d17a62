package dev.aepclient.testkit.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, on ephemeral loopback
 * ports, with its storage in a temporary directory deleted at {@link #close()}. For tests and demos: no Docker, no
 * ZooKeeper. Needs {@code org.apache.kafka:kafka_2.13} on the class path, of the same version as the
 * {@code kafka-clients} beside it (tested with 4.1).
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *   kafka.createTopic("events", 6);
 *   props.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private final Path directory;
  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafkaBroker(Map<String, String> overrides) throws Exception {
    directory = Files.createTempDirectory("aep-kafka-");
    int brokerPort = freePort();
    int controllerPort = freePort();
    String logDir = directory.resolve("data").toString();
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    props.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir);
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "1");
    props.put("log.cleaner.dedupe.buffer.size", "2097152");
    props.putAll(overrides);

    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir))
        .setMetadataLogDirectory(logDir)
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .setControllerListenerName("CONTROLLER")
        .run();
    server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    server.startup();
    bootstrapServers = "localhost:" + brokerPort;
    awaitReady(Duration.ofSeconds(60));
  }

  /** Starts a broker with the defaults above. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Starts a broker with these broker settings on top of the defaults.
   *
   * @throws IllegalStateException if it does not come up within a minute
   */
  public static EmbeddedKafkaBroker start(Map<String, String> brokerOverrides) {
    try {
      return new EmbeddedKafkaBroker(brokerOverrides);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("could not start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  /** {@code localhost:{port}}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * Creates a topic with replication factor 1 and waits until the broker leads every partition (producing before
   * that meets {@code NOT_LEADER_OR_FOLLOWER}).
   */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        try {
          TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
              .get(5, TimeUnit.SECONDS).get(name);
          if (description.partitions().size() == partitions
              && description.partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0)) {
            return;
          }
        } catch (ExecutionException e) {
          // not visible on the broker yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + name + " has no leader for every partition after 30 s");
        }
        Thread.onSpinWait();
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("could not create topic " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Producer settings for this broker. Idempotence is off: Kafka 4.1's idempotent producer was seen to wedge on
   * {@code OUT_OF_ORDER_SEQUENCE_NUMBER} against an in-process broker under load on 2 cores, and sample data does
   * not need it ({@code acks=all} with retries stays).
   */
  public Properties producerProperties(Class<? extends Serializer<?>> keySerializer,
      Class<? extends Serializer<?>> valueSerializer) {
    return producerProperties(bootstrapServers, keySerializer, valueSerializer);
  }

  /** The same settings for a broker known by its address (one in another process, say). */
  public static Properties producerProperties(String bootstrapServers, Class<? extends Serializer<?>> keySerializer,
      Class<? extends Serializer<?>> valueSerializer) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, keySerializer.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, valueSerializer.getName());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    return props;
  }

  /**
   * Consumer settings for a forwarder on this broker: the group, {@code enable.auto.commit=false} (the forwarder
   * commits), {@code auto.offset.reset=earliest}, and the deserializers.
   */
  public Properties consumerProperties(String groupId, Class<? extends Deserializer<?>> keyDeserializer,
      Class<? extends Deserializer<?>> valueDeserializer) {
    return consumerProperties(bootstrapServers, groupId, keyDeserializer, valueDeserializer);
  }

  /** The same settings for a broker known by its address (one in another process, say). */
  public static Properties consumerProperties(String bootstrapServers, String groupId,
      Class<? extends Deserializer<?>> keyDeserializer, Class<? extends Deserializer<?>> valueDeserializer) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, keyDeserializer.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDeserializer.getName());
    return props;
  }

  /** An admin client for this broker; close it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("broker not ready within " + timeout);
        }
      }
    }
  }

  /** Stops the broker and deletes its storage. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + directory, e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public String toString() {
    return "EmbeddedKafkaBroker[" + bootstrapServers + "]";
  }
}
