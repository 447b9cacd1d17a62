package dev.aepclient.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.Fault;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 10 items 1-6 on a real broker: auto-commit, bounds, bad records, mapper bugs, a dead-letter topic missing. */
class SafetyTest extends KafkaTestBase {

  @Test
  void aConsumerThatAutoCommits_isRefusedAtBuild_namingTheSetting() {
    AepStreamingClient client = closeLater(clientBuilder().build());
    Properties props = consumerProps(Map.of());
    props.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG); // Kafka's default: true
    KafkaConsumer<String, String> consumer = closeLater(new KafkaConsumer<>(props));

    assertThatThrownBy(() -> AepKafkaForwarder.builder(consumer, client).topics(topic).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit=true");
    assertThatThrownBy(() -> AepKafkaBridge.builder(consumer, client).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit");
  }

  @Test
  void theNewGroupProtocolsAutoCommitFlagIsReadToo() {
    AepStreamingClient client = closeLater(clientBuilder().build());
    Properties props = consumerProps(Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
    KafkaConsumer<String, String> consumer = closeLater(new KafkaConsumer<>(props));
    assertThatThrownBy(() -> AepKafkaBridge.builder(consumer, client).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit");
  }

  @Test
  void thePropertiesBuilder_turnsAutoCommitOff_andRefusesAnExplicitTrue() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 300);
    AepStreamingClient client = closeLater(clientBuilder().build());
    Properties explicit = consumerProps(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true"));
    assertThatThrownBy(() -> AepKafkaForwarder.builder(explicit, new StringDeserializer(), new StringDeserializer(),
        client)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit=true");

    // Every answer held 2 s; a consumer auto-committing every 50 ms would commit what is still in flight.
    aep.enqueueFaults(100, Fault.delay(Duration.ofSeconds(2)));
    Properties props = consumerProps(Map.of(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 50));
    props.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(props,
        new StringDeserializer(), new StringDeserializer(), client).topics(topic).build()).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> forwarder.metrics().recordsPolled() == 300);
    long deliveredBefore = forwarder.metrics().recordsDelivered();
    long committed = committedTotal();
    assertThat(committed).as("nothing committed beyond what AEP accepted").isLessThanOrEqualTo(deliveredBefore);
    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 300);
    assertThat(forwarder.failure()).isEmpty();
  }

  /**
   * A consumer hidden behind a wrapper the guard cannot look into: the auto-commit is caught by the consumer's own
   * commit counter, the committed offsets are put back to what AEP accepted, and forwarding stops.
   */
  @Test
  @Timeout(60)
  void anAutoCommittingConsumerBehindAWrapper_isCaughtByItsCommitCounter_andItsOffsetsArePutBack() throws Exception {
    kafka.createTopic(topic, 2);
    produce(0, 400);
    aep.enqueueFaults(100, Fault.delay(Duration.ofSeconds(3)));
    AepStreamingClient client = closeLater(clientBuilder().build());
    Properties props = consumerProps(Map.of(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 100));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
    KafkaConsumer<String, String> real = new KafkaConsumer<>(props);
    @SuppressWarnings("unchecked")
    Consumer<String, String> wrapped = (Consumer<String, String>) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    AepKafkaForwarder<String, String> forwarder = closeLater(
        AepKafkaForwarder.builder(wrapped, client).topics(topic).build()).start();

    assertThat(forwarder.awaitTermination(Duration.ofSeconds(40))).isTrue();
    assertThat(forwarder.failure()).get().isInstanceOf(AepForwardingException.class);
    assertThat(forwarder.failure().get().getMessage()).contains("commits offsets by itself")
        .contains("enable.auto.commit=false");
    assertThat(forwarder.state()).isEqualTo(ForwarderState.STOPPED);
    assertThat(committedTotal()).as("committed only what AEP accepted, even after the consumer's close")
        .isLessThanOrEqualTo(forwarder.metrics().recordsDelivered());
  }

  @Test
  @Timeout(60)
  void oneSlowHead_capsTheUnsettledRecordsOfItsPartition_pausesIt_andSettledRecordsKeepNoPayload()
      throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 3_000);
    aep.enqueueFaults(Fault.delay(Duration.ofSeconds(3))); // the first request (the partition's head) hangs
    AepStreamingClient client = closeLater(clientBuilder().maxBatchRecords(50).build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50))),
        client).topics(topic).maxUnsettledPerPartition(300, 1 << 20).build()).start();

    AtomicLong maxUnsettled = new AtomicLong();
    AtomicLong sawPaused = new AtomicLong();
    AtomicLong maxAgeMs = new AtomicLong();
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(5)).until(() -> {
      AepKafkaMetrics m = forwarder.metrics();
      maxUnsettled.accumulateAndGet(m.unsettledRecords(), Math::max);
      maxAgeMs.accumulateAndGet(m.oldestUnsettledAge().toMillis(), Math::max);
      if (!m.pausedPartitions().isEmpty()) {
        sawPaused.incrementAndGet();
      }
      return committedTotal() == 3_000;
    });
    forwarder.close();
    assertThat(sawPaused.get()).as("the partition was paused behind its slow head").isPositive();
    assertThat(maxUnsettled.get()).as("the cap, plus at most one poll").isBetween(250L, 350L);
    assertThat(maxAgeMs.get()).as("the oldest unsettled record's age was visible").isGreaterThan(1_000);
    assertThat(forwarder.metrics().unsettledRecords()).isZero();
    assertThat(missing(3_000)).isEmpty();
    assertThat(aep.duplicates()).isZero();
  }

  @Test
  @Timeout(60)
  void aSmallerTotalWindow_alsoHalvesThePerPartitionCap_soOneSlowHeadLeavesHalfTheWindowToTheOthers()
      throws Exception {
    // The per-partition cap is "half the total", but stayed at half the default total (20,000) when only the total
    // was set: one partition behind a slow head could then take all of a smaller window.
    kafka.createTopic(topic, 1);
    produce(0, 1_000);
    aep.enqueueFaults(Fault.delay(Duration.ofSeconds(3))); // the first request (the partition's head) hangs
    AepStreamingClient client = closeLater(clientBuilder().maxBatchRecords(50).build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50))),
        client).topics(topic).maxUnsettled(400, 1 << 20).build()).start();

    AtomicLong maxUnsettled = new AtomicLong();
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(5)).until(() -> {
      maxUnsettled.accumulateAndGet(forwarder.metrics().unsettledRecords(), Math::max);
      return committedTotal() == 1_000;
    });
    forwarder.close();
    assertThat(maxUnsettled.get()).as("half of the 400 window, plus at most one poll").isBetween(150L, 250L);
    assertThat(missing(1_000)).isEmpty();
  }

  @Test
  @Timeout(60)
  void recordsEachLargerThanTheWholeByteWindow_stillGoThrough_neverMoreThanAPollAtATime() throws Exception {
    // The smallest byte window (1 KiB) and records of 200 KB: every record alone exceeds it. The bridge must pause
    // after each, not deadlock waiting for a window that can never hold one.
    kafka.createTopic(topic, 2);
    String pad = "x".repeat(200_000);
    try (KafkaProducer<String, String> producer = producer()) {
      for (int n = 0; n < 12; n++) {
        var unused = producer.send(new ProducerRecord<>(topic, n % 2, String.valueOf(n),
            "{\"id\":\"" + n + "\",\"pad\":\"" + pad + "\"}"));
      }
      producer.flush();
    }
    AepStreamingClient client = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1))),
        client).topics(topic).maxUnsettled(1, 1024).build()).start();

    AtomicLong maxUnsettled = new AtomicLong();
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(5)).until(() -> {
      maxUnsettled.accumulateAndGet(forwarder.metrics().unsettledRecords(), Math::max);
      return committedTotal() == 12;
    });
    forwarder.close();
    assertThat(maxUnsettled.get()).as("one poll (one record) at a time").isLessThanOrEqualTo(1);
    assertThat(missing(12)).isEmpty();
    assertThat(forwarder.failure()).isEmpty();
  }

  @Test
  @Timeout(60)
  void aRecordThatCannotBeDeserialized_isDeadLetteredWithItsRawBytes_andTheStreamGoesOn() throws Exception {
    kafka.createTopic(topic, 1);
    String dlq = topic + ".dlq";
    kafka.createTopic(dlq, 1);
    try (KafkaProducer<String, String> producer = producer()) {
      for (int n = 0; n < 20; n++) {
        var unused = producer.send(
            new ProducerRecord<>(topic, "key-" + n, n == 7 ? "!not for this deserializer" : event(n)));
      }
    }
    AepStreamingClient client = closeLater(clientBuilder().build());
    KafkaProducer<String, String> dlqProducer = closeLater(producer());
    Properties props = consumerProps(Map.of());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, Picky.class.getName());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(props), client).topics(topic)
        .deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, dlq)).build()).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 20);
    assertThat(forwarder.failure()).isEmpty();
    assertThat(aep.acceptedIds()).hasSize(19).doesNotContainKey("7");
    List<ConsumerRecord<String, String>> letters = readAll(dlq, 1);
    assertThat(letters).hasSize(1);
    ConsumerRecord<String, String> letter = letters.get(0);
    assertThat(letter.value()).isNull();
    assertThat(header(letter, KafkaDeadLetterHandler.RAW_VALUE)).isEqualTo("!not for this deserializer");
    assertThat(header(letter, KafkaDeadLetterHandler.RAW_KEY)).isEqualTo("key-7");
    assertThat(header(letter, KafkaDeadLetterHandler.SOURCE_OFFSET)).isEqualTo("7");
    assertThat(header(letter, KafkaDeadLetterHandler.REASON)).contains("deserialize").contains("picky");
  }

  @Test
  @Timeout(60)
  void aMapperBug_stopsForwarding_withoutDeadLetteringOrCommittingTheRecord() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 10);
    List<String> dead = new ArrayList<>();
    AepStreamingClient client = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic)
        .mapper(record -> {
          if (record.key().equals("5")) {
            String missing = null;
            return AepMessage.of(missing.trim()); // a bug: NullPointerException
          }
          if (record.key().equals("2")) {
            throw new IllegalArgumentException("no schema for this one"); // bad data: dead letter
          }
          return AepMessage.of(record.value());
        })
        .deadLetterHandler(letter -> {
          synchronized (dead) {
            dead.add(letter.origin() + " " + letter.reason());
          }
          return java.util.concurrent.CompletableFuture.completedFuture(null);
        }).build()).start();

    assertThat(forwarder.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(forwarder.failure()).get().isInstanceOf(AepForwardingException.class);
    assertThat(forwarder.failure().get().getMessage()).contains("NullPointerException").contains("bug")
        .contains(topic + "-0@5");
    assertThat(forwarder.failure().get().getCause()).isInstanceOf(NullPointerException.class);
    assertThat(dead).containsExactly(topic + "-0@2 not mappable to an AEP message: no schema for this one");
    assertThat(committedTotal()).isEqualTo(5);
    assertThat(forwarder.health().isAlive()).isFalse();
  }

  /**
   * The dead-letter topic does not exist and the broker does not create topics (as on MSK): the producer's send
   * blocks for max.block.ms. Deliveries go on meanwhile; then forwarding stops without committing past the record.
   */
  @Test
  @Timeout(60)
  void aMissingDeadLetterTopic_neverStallsDeliveries_andStopsWithoutCommittingPastTheRecord() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 20);
    aep.rejectWhen(m -> m.path("id").asText().equals("3"), 400, "XDM header missing");
    Properties producerProps = kafka.producerProperties(StringSerializer.class, StringSerializer.class);
    producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 8_000);
    KafkaProducer<String, String> dlqProducer = closeLater(new KafkaProducer<>(producerProps));
    AepStreamingClient client = closeLater(clientBuilder().build());
    long start = System.nanoTime();
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, topic + ".missing")).build())
        .start();

    await().atMost(Duration.ofSeconds(6)).until(() -> forwarder.metrics().recordsDelivered() == 19);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("delivered before the dead-letter send gave up")
        .isLessThan(Duration.ofSeconds(7));
    await().atMost(Duration.ofSeconds(3)).until(() -> committedTotal() == 3);
    assertThat(forwarder.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(forwarder.failure().get().getMessage()).contains("dead-letter handler failed")
        .contains(topic + "-0@3");
    assertThat(committedTotal()).isEqualTo(3);
  }

  @Test
  @Timeout(60)
  void sourceHeadersCannotSpoofTheDeadLetterHeaders_andAepsReasonIsEscapedAndBounded() throws Exception {
    kafka.createTopic(topic, 1);
    String dlq = topic + ".dlq";
    kafka.createTopic(dlq, 1);
    String hostile = "bad field\r\nFAKE-LOG-LINE: admin logged in\u001b[31m" + "x".repeat(5_000);
    aep.rejectWhen(m -> m.path("id").asText().equals("0"), 400, hostile);
    try (KafkaProducer<String, String> producer = producer()) {
      ProducerRecord<String, String> record = new ProducerRecord<>(topic, "key-0", event(0));
      record.headers().add(KafkaDeadLetterHandler.REASON, "spoofed".getBytes(StandardCharsets.UTF_8));
      record.headers().add(KafkaDeadLetterHandler.HTTP_STATUS, "200".getBytes(StandardCharsets.UTF_8));
      record.headers().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
      var unused = producer.send(record);
    }
    AepStreamingClient client = closeLater(clientBuilder().build());
    KafkaProducer<String, String> dlqProducer = closeLater(producer());
    closeLater(AepKafkaForwarder.builder(consumer(), client).topics(topic)
        .deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, dlq)).build()).start();

    ConsumerRecord<String, String> letter = readAll(dlq, 1).get(0);
    assertThat(letter.headers().headers(KafkaDeadLetterHandler.REASON)).hasSize(1);
    assertThat(letter.headers().headers(KafkaDeadLetterHandler.HTTP_STATUS)).hasSize(1);
    String reason = header(letter, KafkaDeadLetterHandler.REASON);
    assertThat(reason).startsWith("bad field\\r\\nFAKE-LOG-LINE").doesNotContain("\r").doesNotContain("\n")
        .doesNotContain("\u001b").hasSizeLessThan(600);
    assertThat(header(letter, KafkaDeadLetterHandler.HTTP_STATUS)).isEqualTo("400");
    assertThat(header(letter, "original." + KafkaDeadLetterHandler.REASON)).isEqualTo("spoofed");
    assertThat(header(letter, "original." + KafkaDeadLetterHandler.HTTP_STATUS)).isEqualTo("200");
    assertThat(header(letter, "trace-id")).isEqualTo("t-1");
  }

  /** Refuses values starting with '!' as a schema-aware deserializer refuses bytes of another schema. */
  public static final class Picky implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      if (data != null && data.length > 0 && data[0] == '!') {
        throw new SerializationException("picky: not a JSON event");
      }
      return data == null ? null : new String(data, StandardCharsets.UTF_8);
    }
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private List<ConsumerRecord<String, String>> readAll(String dlqTopic, int expected) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + dlqTopic);
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(consumerProps(overrides))) {
      reader.subscribe(List.of(dlqTopic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        reader.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
    }
    return records;
  }
}
