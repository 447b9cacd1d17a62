package dev.aepclient.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** Rejected and unmappable records go to the dead-letter topic with their origin and reason; the stream goes on. */
class DeadLetterTest extends KafkaTestBase {

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void rejectedAndUnmappableRecordsAreDeadLetteredWithTheirOriginAndReason() throws Exception {
    kafka.createTopic(topic, 1);
    String dlq = topic + ".dlq";
    kafka.createTopic(dlq, 1);
    aep.rejectWhen(m -> m.path("id").asText().equals("3"), 400, "XDM header missing");
    try (KafkaProducer<String, String> producer = producer()) {
      for (int n = 0; n < 10; n++) {
        String value = switch (n) {
          case 5 -> "not json {";
          case 6 -> null; // a tombstone
          case 7 -> "{\"id\":\"7\",\"pad\":\"" + "x".repeat(1_000_000) + "\"}"; // too large for one request
          default -> event(n);
        };
        var unused = producer.send(new ProducerRecord<>(topic, "key-" + n, value));
      }
    }
    AepStreamingClient client = closeLater(clientBuilder().build());
    KafkaProducer<String, String> dlqProducer = closeLater(producer());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).commitInterval(Duration.ZERO)
        .deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, dlq)).build()).start();

    await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal() == 10);
    forwarder.close();
    assertThat(forwarder.failure()).isEmpty();
    assertThat(aep.acceptedIds()).containsOnlyKeys("0", "1", "2", "4", "8", "9");
    assertThat(forwarder.metrics().recordsDeadLettered()).isEqualTo(4);

    List<ConsumerRecord<String, String>> letters = readAll(dlq, 4);
    Map<String, ConsumerRecord<String, String>> byKey = new HashMap<>();
    letters.forEach(r -> byKey.put(r.key(), r));
    assertThat(byKey).containsOnlyKeys("key-3", "key-5", "key-6", "key-7");
    ConsumerRecord<String, String> rejected = byKey.get("key-3");
    assertThat(rejected.value()).isEqualTo(event(3));
    assertThat(header(rejected, KafkaDeadLetterHandler.SOURCE_TOPIC)).isEqualTo(topic);
    assertThat(header(rejected, KafkaDeadLetterHandler.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(rejected, KafkaDeadLetterHandler.SOURCE_OFFSET)).isEqualTo("3");
    assertThat(header(rejected, KafkaDeadLetterHandler.HTTP_STATUS)).isEqualTo("400");
    assertThat(header(rejected, KafkaDeadLetterHandler.REASON)).isEqualTo("XDM header missing");
    assertThat(byKey.get("key-5").value()).isEqualTo("not json {");
    assertThat(header(byKey.get("key-5"), KafkaDeadLetterHandler.HTTP_STATUS)).isEqualTo("0");
    assertThat(header(byKey.get("key-5"), KafkaDeadLetterHandler.REASON)).contains("not well-formed JSON");
    assertThat(byKey.get("key-6").value()).isNull();
    assertThat(header(byKey.get("key-6"), KafkaDeadLetterHandler.REASON)).contains("tombstone");
    assertThat(header(byKey.get("key-7"), KafkaDeadLetterHandler.REASON)).contains("cannot fit in one request");
    assertThat(header(byKey.get("key-7"), KafkaDeadLetterHandler.SOURCE_OFFSET)).isEqualTo("7");
  }

  private List<ConsumerRecord<String, String>> readAll(String dlqTopic, int expected) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + dlqTopic);
    overrides.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
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
