package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaBridge;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten crashes during a 100,000-record run: each incarnation forwards with a bridge in its own loop and dies at a
 * random point (no rebalance callback, no final commit, client abandoned with requests in flight), then the next one
 * starts in the same group. At the end every record reached AEP at least once, and the duplicates stay within what
 * was polled but not committed at each crash.
 */
@Tag("reliability")
class KafkaCrashTest {
  private static final String TOPIC = "crash-events";
  private static final String GROUP = "crash-forwarder";
  private static final int RECORDS = 100_000;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void tenCrashesLoseNothing() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator aep = AepSimulator.builder().idPointer("/id").start()) {
      kafka.createTopic(TOPIC, 6);
      produce(kafka);
      Random random = new Random(20261125);
      long inFlightBound = 0;
      List<String> crashes = new ArrayList<>();
      for (int crash = 1; crash <= 10; crash++) {
        // Slow answers now and then, so that every crash finds records in flight.
        aep.enqueueFaults(20, Fault.delay(Duration.ofMillis(100 + random.nextInt(300))));
        long committedBefore = committed(kafka);
        long target = 1_000 + random.nextInt(6_000);
        long[] atCrash = runUntilCrash(kafka, aep, target);
        long committedAfter = committed(kafka);
        inFlightBound += atCrash[0] - (committedAfter - committedBefore);
        crashes.add(String.format("crash %d: polled %,d, committed %,d", crash, atCrash[0],
            committedAfter - committedBefore));
        aep.clearFaults();
      }

      AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build();
      AepKafkaForwarder<String, String> last = AepKafkaForwarder.builder(new KafkaConsumer<String, String>(
          consumerProps(kafka)), client).topics(TOPIC).commitInterval(Duration.ofMillis(100)).build().start();
      await().atMost(Duration.ofMinutes(3)).until(() -> committed(kafka) == RECORDS);
      last.close();
      client.close();

      List<Integer> missing = new ArrayList<>();
      Map<String, Integer> accepted = aep.acceptedIds();
      for (int n = 0; n < RECORDS; n++) {
        if (!accepted.containsKey(String.valueOf(n))) {
          missing.add(n);
        }
      }
      assertThat(missing).as("records never delivered").isEmpty();
      assertThat(aep.duplicates()).as("duplicates within what was uncommitted at the crashes")
          .isLessThanOrEqualTo(inFlightBound);
      String report = String.format("kafka crashes: %s; %,d records, every one delivered; %,d duplicates on the"
          + " wire, bound (polled but uncommitted at the crashes) %,d%n", crashes, RECORDS, aep.duplicates(),
          inFlightBound);
      System.out.print(report);
      Files.writeString(Path.of("target", "kafka-crashes.txt"), report);
    }
  }

  /**
   * One incarnation: forwards until {@code target} records are delivered (so commits have moved and more records are
   * in flight), then dies. Returns {polled}.
   */
  @SuppressWarnings("deprecation") // close(Duration): the one close with a timeout on both 3.x and 4.x clients
  private long[] runUntilCrash(EmbeddedKafkaBroker kafka, AepSimulator aep, long target) {
    // A 2 MB buffer (about 12,000 of these records): what can be in flight, so what a crash can make arrive twice.
    AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).maxBufferedBytes(2 << 20)
        .build();
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(kafka));
    AepKafkaBridge<String, String> bridge = AepKafkaBridge.builder(consumer, client)
        .commitInterval(Duration.ofMillis(50)).build();
    AtomicBoolean dead = new AtomicBoolean();
    ConsumerRebalanceListener listener = bridge.rebalanceListener();
    consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!dead.get()) { // a dead process runs no callbacks
          listener.onPartitionsRevoked(partitions);
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        listener.onPartitionsAssigned(partitions);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (bridge.metrics().recordsDelivered() < target && System.nanoTime() < deadline) {
      bridge.forward(consumer.poll(Duration.ofMillis(50)));
      bridge.commitReady();
    }
    long polled = bridge.metrics().recordsPolled();
    dead.set(true);
    client.close(Duration.ZERO);   // in-flight requests abandoned
    consumer.close(Duration.ZERO); // no commit on the way out
    return new long[] {polled};
  }

  private static void produce(EmbeddedKafkaBroker kafka) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        kafka.producerProperties(StringSerializer.class, StringSerializer.class))) {
      for (int n = 0; n < RECORDS; n++) {
        producer.send(new ProducerRecord<>(TOPIC, String.valueOf(n), "{\"id\":\"" + n + "\",\"v\":" + n + "}"));
      }
    }
  }

  private static Properties consumerProps(EmbeddedKafkaBroker kafka) {
    Properties props = kafka.consumerProperties(GROUP, StringDeserializer.class, StringDeserializer.class);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000"); // a dead member's partitions move on sooner
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
    return props;
  }

  private static long committed(EmbeddedKafkaBroker kafka) throws Exception {
    try (Admin admin = kafka.admin()) {
      return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
          .values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }
  }
}
