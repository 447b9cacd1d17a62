package dev.aepclient.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sink on a distributed Connect cluster of two real workers on an in-process broker, one of them in a child JVM
 * ({@link DistributedWorkerChild}) killed with SIGKILL ({@link Process#destroyForcibly()} on Linux) while records
 * stream: no closing commit, no leave-group, no task stop. The in-process worker takes its tasks over once the
 * group's session timeout declares it dead. Every record must reach AEP at least once, or the dead-letter topic if
 * AEP refuses it, and the committed offsets must reach the end.
 *
 * <p>Duplicates asserted at most: the records AEP had accepted on the killed worker's partitions past their
 * committed offsets when the kill landed (measured right after it: its successor starts there and sends them
 * again), plus one batch per killed task that was still on its way to AEP when we counted, plus what one task holds
 * unsettled (its byte budget) for every task at each of at most three sink-consumer-group rebalances the kill
 * causes (the dead consumers expiring, the moved tasks joining, and one more if those two do not coincide): a
 * revoke commits the settled prefix first, so what settles during the close wait is sent again by the next owner.
 */
class DistributedSinkKillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * On both workers: a dead worker (and its tasks' consumers) is declared dead after 6 s, and its tasks move at once
   * (no scheduled delay), so the takeover costs seconds, not Connect's 45 s / 5 min defaults.
   */
  private static final Map<String, String> FAST_FAILOVER = Map.of(
      "session.timeout.ms", "6000",
      "heartbeat.interval.ms", "1000",
      "scheduled.rebalance.max.delay.ms", "0",
      "consumer.session.timeout.ms", "6000",
      "consumer.heartbeat.interval.ms", "1000");
  private static final int BATCH_MAX_RECORDS = 20;

  private static EmbeddedKafkaBroker kafka;
  private static AepSimulator aep;
  private static ConnectWorker survivor;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    aep = AepSimulator.builder().idPointer("/id").start();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {survivor, aep, kafka}) {
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
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aWorkerKilledMidStreamLosesNothingAndDuplicatesStayWithinItsUncommittedRecords() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String cluster = "kill-cluster-" + suffix;
    String name = "aep-" + suffix;
    String topic = "events-" + suffix;
    int partitions = 4;
    int tasks = 4;
    int n = 6000;
    kafka.createTopic(topic, partitions);
    // Started first, so it leads the worker group and takes the connector config (a follower would refuse it).
    survivor = ConnectWorker.distributed(kafka.bootstrapServers(), cluster, 60_000, FAST_FAILOVER);
    Process child = startChild(cluster);
    try {
      String childId = awaitChildStarted();
      String survivorId = survivor.workerId();

      // Every request takes 40 ms, so the stream lasts seconds and the kill lands in the middle of it.
      aep.randomFaults(1, Map.of(Fault.delay(Duration.ofMillis(40)), 1.0));
      aep.rejectWhen(node -> node.path("n").asInt() % 500 == 250, 400, "n is not allowed here");
      int bufferBytes = 16 * 1024;
      Map<String, String> config = new HashMap<>();
      config.put("connector.class", AepSinkConnector.class.getName());
      config.put("topics", topic);
      config.put("tasks.max", String.valueOf(tasks));
      config.put("aep.inlet.url", aep.inletUrl());
      config.put("aep.linger.ms", "5");
      config.put("aep.batch.max.records", String.valueOf(BATCH_MAX_RECORDS));
      config.put("aep.max.in.flight", "1");
      config.put("aep.buffer.max.bytes", String.valueOf(bufferBytes));
      config.put("aep.max.request.bytes", String.valueOf(bufferBytes));
      config.put("aep.batch.max.bytes", String.valueOf(bufferBytes));
      config.put("aep.sink.close.timeout.ms", "5000");
      config.put("errors.tolerance", "all");
      config.put("errors.deadletterqueue.topic.name", topic + ".dlq");
      config.put("errors.deadletterqueue.topic.replication.factor", "1");
      config.put("errors.deadletterqueue.context.headers.enable", "true");
      survivor.putConnector(name, config);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        ConnectorStateInfo status = survivor.status(name);
        return status != null && status.tasks().size() == tasks
            && status.tasks().stream().allMatch(t -> t.state().equals("RUNNING"))
            && status.tasks().stream().map(ConnectorStateInfo.TaskState::workerId).collect(Collectors.toSet())
                .equals(Set.of(survivorId, childId));
      });
      Set<Integer> childTasks = survivor.status(name).tasks().stream().filter(t -> t.workerId().equals(childId))
          .map(ConnectorStateInfo.TaskState::id).collect(Collectors.toSet());

      String prefix = suffix + "-";
      ConnectWorker.produce(kafka, topic, IntStream.range(0, n).mapToObj(i -> new ProducerRecord<byte[], byte[]>(
          topic, i % partitions, null, ("{\"id\":\"" + prefix + i + "\",\"n\":" + i + "}")
              .getBytes(StandardCharsets.UTF_8))).toList());
      Map<String, TopicPartition> partitionOf = new HashMap<>();
      Map<String, Long> offsetOf = new HashMap<>();
      readBack(topic, n, partitionOf, offsetOf);
      Map<TopicPartition, Long> end = ConnectWorker.endOffsets(kafka, topic, partitions);
      int refused = n / 500;
      int good = n - refused;

      await().atMost(Duration.ofSeconds(60)).until(() -> accepted(prefix).size() >= n / 4);
      Set<TopicPartition> killedPartitions = partitionsOf(name, childTasks);
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no closing commit, no leave-group
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by signal 9, not exited").isEqualTo(128 + 9);
      // Nobody commits the killed worker's partitions until their new owner runs (>= the 6 s session timeout away).
      Map<TopicPartition, Long> committedAtKill = ConnectWorker.committed(kafka, name);
      Map<String, Integer> acceptedAtKill = accepted(prefix);
      long sentAgain = acceptedAtKill.keySet().stream().filter(id -> killedPartitions.contains(partitionOf.get(id))
          && offsetOf.get(id) >= committedAtKill.getOrDefault(partitionOf.get(id), 0L)).count();
      assertThat(killedPartitions).as("the killed worker owned partitions").isNotEmpty();
      assertThat(acceptedAtKill.size()).as("it was killed mid-stream").isLessThan(good);
      for (TopicPartition tp : killedPartitions) {
        assertThat(committedAtKill.getOrDefault(tp, 0L)).as("%s had records left at the kill", tp)
            .isLessThan(end.get(tp));
      }

      await().atMost(Duration.ofSeconds(90)).until(() -> accepted(prefix).size() == good);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ConnectWorker.committed(kafka, name))
          .isEqualTo(end));
      // The survivor runs all four tasks now.
      assertThat(survivor.status(name).tasks()).hasSize(tasks)
          .allSatisfy(t -> assertThat(t.workerId()).isEqualTo(survivorId));

      Map<String, Integer> accepted = accepted(prefix);
      assertThat(accepted).hasSize(good).allSatisfy((id, times) -> assertThat(times).isPositive());
      assertThat(accepted).doesNotContainKey(prefix + 250);
      Set<String> deadIds = deadLettered(topic + ".dlq", suffix, refused);
      assertThat(deadIds).isEqualTo(IntStream.range(0, n).filter(i -> i % 500 == 250).mapToObj(i -> prefix + i)
          .collect(Collectors.toSet()));

      long duplicates = accepted.values().stream().mapToLong(times -> times - 1).sum();
      long killedDuplicates = accepted.entrySet().stream()
          .filter(e -> killedPartitions.contains(partitionOf.get(e.getKey()))).mapToLong(e -> e.getValue() - 1).sum();
      int messageCost = ("{\"id\":\"" + prefix + n + "\",\"n\":" + n + "}").length() + 128;
      long perTask = bufferBytes / messageCost + 1L;
      long inFlightWhenCounted = (long) childTasks.size() * BATCH_MAX_RECORDS;
      long bound = sentAgain + inFlightWhenCounted + 3L * tasks * perTask;
      String report = String.format("distributed SIGKILL: tasks %s on the killed worker (partitions %s); %d of %d "
              + "accepted at the kill, %d of them past the killed partitions' commits; %d duplicates (%d on the killed "
              + "partitions, %d elsewhere), bound %d = %d + %d in flight + 3 x %d tasks x %d%n", childTasks,
          killedPartitions, acceptedAtKill.size(), good, sentAgain, duplicates, killedDuplicates,
          duplicates - killedDuplicates, bound, sentAgain, inFlightWhenCounted, tasks, perTask);
      System.out.print(report);
      Files.writeString(Path.of("target", "connect-kill.txt"), report);
      assertThat(duplicates).isLessThanOrEqualTo(bound);
      survivor.deleteConnector(name);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process startChild(String cluster) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
        DistributedWorkerChild.class.getName(), kafka.bootstrapServers(), cluster));
    FAST_FAILOVER.forEach((k, v) -> command.add(k + "=" + v));
    Files.deleteIfExists(childOut());
    return new ProcessBuilder(command).redirectOutput(childOut().toFile())
        .redirectError(new File("target", "connect-kill-child.log")).start();
  }

  private static Path childOut() {
    return Path.of("target", "connect-kill-child.out");
  }

  /** The child's worker id, once it printed that its worker is up. */
  private static String awaitChildStarted() {
    String[] id = new String[1];
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      if (!Files.exists(childOut())) {
        return false;
      }
      for (String line : Files.readAllLines(childOut(), StandardCharsets.UTF_8)) {
        if (line.startsWith("started ")) {
          id[0] = line.substring("started ".length()).trim();
          return true;
        }
      }
      return false;
    });
    return id[0];
  }

  /** The partitions the sink consumers of {@code taskIds} own now (Connect names them connector-consumer-NAME-ID). */
  private static Set<TopicPartition> partitionsOf(String connector, Set<Integer> taskIds) throws Exception {
    Set<String> clientIds = taskIds.stream().map(id -> "connector-consumer-" + connector + "-" + id)
        .collect(Collectors.toSet());
    try (Admin admin = kafka.admin()) {
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("connect-" + connector))
          .describedGroups().get("connect-" + connector).get(30, TimeUnit.SECONDS);
      Set<TopicPartition> owned = new HashSet<>();
      for (MemberDescription member : group.members()) {
        if (clientIds.contains(member.clientId())) {
          owned.addAll(member.assignment().topicPartitions());
        }
      }
      return owned;
    }
  }

  /** Reads the topic back: where each id landed. */
  private static void readBack(String topic, int n, Map<String, TopicPartition> partitionOf,
      Map<String, Long> offsetOf) throws Exception {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties(
        "read-back-" + topic, ByteArrayDeserializer.class, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String id = JSON.readTree(r.value()).path("id").asText();
          partitionOf.put(id, new TopicPartition(r.topic(), r.partition()));
          offsetOf.put(id, r.offset());
        }
        return partitionOf.size() == n;
      });
    }
  }

  /** The ids in the dead-letter topic, each checked to carry AEP's reason. */
  private static Set<String> deadLettered(String dlq, String suffix, int expected) {
    Set<String> deadIds = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties(
        "dlq-reader-" + suffix, ByteArrayDeserializer.class, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(dlq));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Header reason = r.headers().lastHeader("__connect.errors.exception.message");
          assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("400 n is not allowed here");
          deadIds.add(JSON.readTree(r.value()).path("id").asText());
        }
        return deadIds.size() == expected;
      });
    }
    return deadIds;
  }

  private static Map<String, Integer> accepted(String prefix) {
    return aep.acceptedIds().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
