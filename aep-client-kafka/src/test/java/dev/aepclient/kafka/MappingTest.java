package dev.aepclient.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AcceptedMessage;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 10 items 9 and 10 on a real broker: 0..n messages per record, routing, tombstones, XDM helpers, metrics. */
class MappingTest extends KafkaTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(60)
  void aRouterFiltersFansOutAndRoutesToASecondClient_andARejectedCopyDeadLettersTheRecordOnce() throws Exception {
    kafka.createTopic(topic, 2);
    produce(0, 300);
    AepSimulator second = closeLater(AepSimulator.builder().idPointer("/id").start());
    second.rejectWhen(m -> m.path("id").asText().equals("5-b"), 400, "bad copy");
    AepStreamingClient client = closeLater(clientBuilder().build());
    AepStreamingClient other = closeLater(AepStreamingClient.builder().inletUrl(second.inletUrl())
        .linger(Duration.ofMillis(5)).build());
    List<String> dead = new CopyOnWriteArrayList<>();
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic)
        .router(record -> {
          int n = Integer.parseInt(record.key());
          return switch (n % 3) {
            case 0 -> List.of(); // filtered out
            case 1 -> List.of(RoutedMessage.of(AepMessage.of(record.value())));
            default -> List.of(RoutedMessage.of(AepMessage.of(record.value())),
                RoutedMessage.to(other, AepMessage.of("{\"id\":\"" + n + "-b\"}")));
          };
        })
        .deadLetterHandler(letter -> {
          dead.add(letter.record().key() + ":" + letter.statusCode() + ":" + letter.reason());
          return CompletableFuture.completedFuture(null);
        }).build()).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 300);
    AepKafkaMetrics m = forwarder.metrics();
    assertThat(m.recordsFiltered()).isEqualTo(100);
    assertThat(m.recordsDeadLettered()).isEqualTo(1);
    assertThat(m.recordsDelivered()).isEqualTo(199);
    assertThat(dead).containsExactly("5:400:bad copy");
    Map<String, Integer> first = aep.acceptedIds();
    assertThat(first).hasSize(200).containsKeys("1", "2", "5").doesNotContainKeys("0", "3");
    assertThat(second.acceptedIds()).hasSize(99).containsKeys("2-b", "8-b").doesNotContainKey("5-b");
    assertThat(aep.duplicates() + second.duplicates()).isZero();
  }

  @Test
  @Timeout(60)
  void tombstones_areSkipped_orStopForwarding_asThePolicySays() throws Exception {
    kafka.createTopic(topic, 1);
    try (KafkaProducer<String, String> producer = producer()) {
      for (int n = 0; n < 10; n++) {
        var unused = producer.send(new ProducerRecord<>(topic, String.valueOf(n), n == 4 ? null : event(n)));
      }
    }
    AepStreamingClient client = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> skipping = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).tombstones(TombstonePolicy.SKIP).build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 10);
    skipping.close();
    assertThat(skipping.metrics().recordsSkipped()).isEqualTo(1);
    assertThat(aep.acceptedIds()).hasSize(9).doesNotContainKey("4");

    group = group + "-fail";
    AepKafkaForwarder<String, String> failing = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).tombstones(TombstonePolicy.FAIL).build()).start();
    assertThat(failing.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(failing.failure().get().getMessage()).contains(topic + "-0@4").contains("tombstone");
    assertThat(committedTotal()).isEqualTo(4);
  }

  @Test
  @Timeout(60)
  void xdmRecordMapper_takesTheHeaderFromKafkaHeadersKeyAndTimestamp_withADeterministicId() throws Exception {
    kafka.createTopic(topic, 1);
    AepSimulator xdm = closeLater(AepSimulator.builder().idPointer("/body/xdmEntity/_id").keepMessages(true)
        .start());
    try (KafkaProducer<String, String> producer = producer()) {
      for (int n = 0; n < 5; n++) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, null, 1_700_000_000_000L + n,
            "ds-" + n, "{\"eventType\":\"view\",\"n\":" + n + "}");
        if (n != 3) {
          record.headers().add("aep-flow", ("flow-" + n).getBytes(StandardCharsets.UTF_8));
        }
        var unused = producer.send(record);
      }
    }
    XdmRecordMapper<String, String> mapper = XdmRecordMapper.<String, String>builder()
        .schemaId("https://ns.adobe.com/acme/schemas/s1").datasetIdFromKey().flowIdFromHeader("aep-flow")
        .deterministicId().build();
    AepStreamingClient client = closeLater(AepStreamingClient.builder().inletUrl(xdm.inletUrl())
        .linger(Duration.ofMillis(5)).build());
    List<String> dead = new CopyOnWriteArrayList<>();
    closeLater(AepKafkaForwarder.builder(consumer(), client).topics(topic).mapper(mapper)
        .deadLetterHandler(letter -> {
          dead.add(letter.record().offset() + ":" + letter.reason());
          return CompletableFuture.completedFuture(null);
        }).build()).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 5);
    assertThat(dead).containsExactly("3:not mappable to an AEP message: no header aep-flow (flow id) for this record");
    List<JsonNode> messages = new ArrayList<>();
    for (AcceptedMessage accepted : xdm.acceptedMessages()) {
      messages.add(JSON.readTree(accepted.json()));
    }
    assertThat(messages).hasSize(4);
    JsonNode first = messages.stream().filter(j -> j.at("/body/xdmEntity/n").asInt() == 1).findFirst().get();
    assertThat(first.at("/header/schemaRef/id").asText()).isEqualTo("https://ns.adobe.com/acme/schemas/s1");
    assertThat(first.at("/header/datasetId").asText()).isEqualTo("ds-1");
    assertThat(first.at("/header/flowId").asText()).isEqualTo("flow-1");
    assertThat(first.at("/header/createdAt").asLong()).isEqualTo(1_700_000_000_001L);
    ConsumerRecord<String, String> same = new ConsumerRecord<>(topic, 0, 1, 0L, TimestampType.CREATE_TIME, 0, 0,
        null, null, new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
    assertThat(first.at("/body/xdmEntity/_id").asText()).isEqualTo(XdmRecordMapper.deterministicId(same))
        .hasSize(36);
    assertThat(xdm.acceptedIds()).hasSize(4);
    assertThatThrownBy(() -> XdmRecordMapper.builder().build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schemaId");
  }

  @Test
  @Timeout(60)
  void metrics_lagCountsWhatIsPolledButNotCommitted_andCommitsAreCountedAndTimed() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 1_000);
    aep.enqueueFaults(50, Fault.delay(Duration.ofSeconds(2)));
    AepStreamingClient client = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).build()).start();

    await().atMost(Duration.ofSeconds(20)).until(() -> forwarder.metrics().recordsPolled() == 1_000
        && forwarder.metrics().lag().values().stream().mapToLong(Long::longValue).sum() == 1_000);
    AepKafkaMetrics held = forwarder.metrics();
    assertThat(held.totalLag()).as("all polled, none committed: all of it is lag").isEqualTo(1_000);
    assertThat(held.unsettledRecords()).isEqualTo(1_000);
    assertThat(held.uncommittedRecords()).isEqualTo(1_000);
    assertThat(held.unsettledBytes()).isGreaterThan(1_000 * 50L);
    assertThat(held.lastCommitTime()).isEmpty();

    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 1_000
        && forwarder.metrics().totalLag() == 0);
    AepKafkaMetrics done = forwarder.metrics();
    assertThat(done.commits()).isPositive();
    assertThat(done.commitFailures()).isZero();
    assertThat(done.lastCommitTime()).isPresent();
    assertThat(done.unsettledRecords()).isZero();
    assertThat(done.unsettledBytes()).isZero();
    assertThat(done.oldestUnsettledAge()).isEqualTo(Duration.ZERO);
    assertThat(done.pausedPartitions()).isEmpty();
    assertThat(done.state()).isEqualTo(ForwarderState.RUNNING);
  }
}
