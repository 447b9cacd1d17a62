package dev.aepclient.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink on a distributed Connect cluster of two real workers on an in-process broker; one worker is stopped while
 * records stream. Every record must reach AEP at least once, or the dead-letter topic if AEP refuses it; duplicates
 * come only from what was buffered or in flight when partitions moved.
 */
class DistributedSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafkaBroker kafka;
  private static AepSimulator aep;
  private static ConnectWorker first;
  private static ConnectWorker second;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    aep = AepSimulator.builder().idPointer("/id").start();
    String cluster = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
    first = ConnectWorker.distributed(kafka, cluster, 60_000);
    second = ConnectWorker.distributed(kafka, cluster, 60_000);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {second, first, aep, kafka}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  void aWorkerStoppedMidStreamLosesNothingAndDuplicatesStayWithinWhatWasBuffered() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String name = "aep-" + suffix;
    String topic = "events-" + suffix;
    int partitions = 4;
    int tasks = 4;
    int n = 6000;
    kafka.createTopic(topic, partitions);
    // Every request takes 40 ms, so the stream lasts seconds and the worker stops in the middle of it.
    aep.randomFaults(1, Map.of(Fault.delay(Duration.ofMillis(40)), 1.0));
    aep.rejectWhen(node -> node.path("n").asInt() % 500 == 250, 400, "n is not allowed here");

    int bufferBytes = 16 * 1024;
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", AepSinkConnector.class.getName());
    config.put("topics", topic);
    config.put("tasks.max", String.valueOf(tasks));
    config.put("aep.inlet.url", aep.inletUrl());
    config.put("aep.linger.ms", "5");
    config.put("aep.batch.max.records", "20");
    config.put("aep.max.in.flight", "1");
    config.put("aep.buffer.max.bytes", String.valueOf(bufferBytes));
    config.put("aep.max.request.bytes", String.valueOf(bufferBytes));
    config.put("aep.batch.max.bytes", String.valueOf(bufferBytes));
    config.put("aep.sink.close.timeout.ms", "5000");
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", topic + ".dlq");
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    first.putConnector(name, config);
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      ConnectorStateInfo status = first.status(name);
      return status != null && status.tasks().size() == tasks
          && status.tasks().stream().allMatch(t -> t.state().equals("RUNNING"))
          && status.tasks().stream().map(ConnectorStateInfo.TaskState::workerId).distinct().count() == 2;
    });

    String prefix = suffix + "-";
    ConnectWorker.produce(kafka, topic, IntStream.range(0, n).mapToObj(i -> new ProducerRecord<byte[], byte[]>(topic,
        i % partitions, null, ("{\"id\":\"" + prefix + i + "\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)))
        .toList());
    int refused = n / 500;
    int good = n - refused;
    await().atMost(Duration.ofSeconds(60)).until(() -> accepted(prefix).size() >= n / 4);
    int acceptedAtStop = accepted(prefix).size();
    second.close();
    assertThat(acceptedAtStop).isLessThan(good); // it did stop mid-stream

    await().atMost(Duration.ofSeconds(90)).until(() -> accepted(prefix).size() == good);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ConnectWorker.committed(kafka, name))
        .isEqualTo(ConnectWorker.endOffsets(kafka, topic, partitions)));

    Map<String, Integer> accepted = accepted(prefix);
    assertThat(accepted).hasSize(good).allSatisfy((id, times) -> assertThat(times).isPositive());
    assertThat(accepted).doesNotContainKey(prefix + 250);
    // Every refused record is in the dead-letter topic (at least once) with AEP's reason.
    Set<String> deadIds = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties(
        "dlq-reader-" + suffix, ByteArrayDeserializer.class, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(topic + ".dlq"));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Header reason = r.headers().lastHeader("__connect.errors.exception.message");
          assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("400 n is not allowed here");
          deadIds.add(JSON.readTree(r.value()).path("id").asText());
        }
        return deadIds.size() == refused;
      });
    }
    assertThat(deadIds).isEqualTo(IntStream.range(0, n).filter(i -> i % 500 == 250).mapToObj(i -> prefix + i)
        .collect(Collectors.toSet()));
    long duplicates = accepted.values().stream().mapToLong(times -> times - 1).sum();
    // What one task may hold unsettled (its byte budget), for every task, at each of the (at most three) consumer
    // group rebalances the stop causes: the worker's tasks leaving, and Connect moving them to the survivor.
    int messageCost = ("{\"id\":\"" + prefix + n + "\",\"n\":" + n + "}").length() + 128;
    long bound = 3L * tasks * (bufferBytes / messageCost + 1);
    System.out.printf("distributed stop: %d of %d accepted at the stop, %d duplicates (bound %d)%n", acceptedAtStop,
        good, duplicates, bound);
    assertThat(duplicates).isLessThanOrEqualTo(bound);
    first.deleteConnector(name);
  }

  private static Map<String, Integer> accepted(String prefix) {
    return aep.acceptedIds().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
