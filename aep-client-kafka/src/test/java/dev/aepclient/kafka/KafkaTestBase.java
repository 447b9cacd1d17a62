package dev.aepclient.kafka;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One real in-process Kafka broker and one AepSimulator per test class; a fresh topic and group per test. */
abstract class KafkaTestBase {
  protected static EmbeddedKafkaBroker kafka;
  protected static AepSimulator aep;

  protected String topic;
  protected String group;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void startInfrastructure() {
    // As on Amazon MSK: topics are never created by a producer's first send.
    // Short sessions allowed, so a member that dies without leaving its group is noticed within a test's time.
    // The new group protocol's heartbeats every 500 ms instead of 5 s, so its rebalances fit in a test too.
    kafka = EmbeddedKafkaBroker.start(Map.of("auto.create.topics.enable", "false",
        "group.min.session.timeout.ms", "1000", "group.consumer.min.heartbeat.interval.ms", "500",
        "group.consumer.heartbeat.interval.ms", "500"));
    aep = AepSimulator.builder().idPointer("/id").start();
  }

  @AfterAll
  static void stopInfrastructure() {
    if (aep != null) {
      aep.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void freshNames() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    topic = "events-" + suffix;
    group = "forwarder-" + suffix;
    aep.resetRecords();
    aep.clearFaults();
    aep.clearRejections();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  protected <T extends AutoCloseable> T closeLater(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  protected AepStreamingClientBuilder clientBuilder() {
    return AepStreamingClient.builder().inletUrl(aep.inletUrl()).linger(Duration.ofMillis(5))
        .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(500));
  }

  protected Properties consumerProps(Map<String, Object> overrides) {
    Properties props = kafka.consumerProperties(group, StringDeserializer.class, StringDeserializer.class);
    props.putAll(overrides);
    return props;
  }

  protected KafkaConsumer<String, String> consumer() {
    return new KafkaConsumer<>(consumerProps(Map.of()));
  }

  protected KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(kafka.producerProperties(StringSerializer.class, StringSerializer.class));
  }

  /** The JSON value of record {@code n}: its id is {@code n}. */
  protected static String event(int n) {
    return "{\"id\":\"" + n + "\",\"type\":\"page.view\",\"body\":{\"url\":\"https://example.com/p/" + n
        + "\",\"ms\":" + (n * 7 % 1000) + "}}";
  }

  /** Produces records 0..count-1 (key = id) to the test topic. */
  protected void produce(int from, int count) throws Exception {
    try (KafkaProducer<String, String> producer = producer()) {
      for (int n = from; n < from + count; n++) {
        var unused = producer.send(new ProducerRecord<>(topic, String.valueOf(n), event(n)));
      }
      producer.flush();
    }
  }

  /** The group's committed offsets, summed over partitions. */
  protected long committedTotal() throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }
  }

  /** The topic's end offsets, summed over partitions. */
  protected long endTotal(int partitions) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(r -> r.offset()).sum();
    }
  }

  /** Ids 0..count-1 that the simulator never accepted. */
  protected static List<Integer> missing(int count) {
    List<Integer> missing = new ArrayList<>();
    Map<String, Integer> accepted = aep.acceptedIds();
    for (int n = 0; n < count; n++) {
      if (!accepted.containsKey(String.valueOf(n))) {
        missing.add(n);
      }
    }
    return missing;
  }
}
