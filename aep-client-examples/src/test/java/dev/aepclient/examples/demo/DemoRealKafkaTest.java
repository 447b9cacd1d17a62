package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's real-Kafka mode against a broker started outside it (as a user's cluster is), through the environment
 * variables a user sets: it stops on consumer lag 0 with {@code --until-caught-up}, and a topic without the real AEP
 * is refused, or forwarded to the simulator only on {@code --simulate-aep} without touching the user's group or
 * dead-letter topic.
 */
class DemoRealKafkaTest {
  private static EmbeddedKafkaBroker kafka;
  private static Admin admin;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafkaBroker.start();
    admin = kafka.admin();
  }

  @AfterAll
  static void stopBroker() {
    admin.close();
    kafka.close();
  }

  private static void produceSampleEvents(String topic, int partitions, int count) {
    kafka.createTopic(topic, partitions);
    SampleEvents events = new SampleEvents();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        kafka.producerProperties(StringSerializer.class, StringSerializer.class))) {
      for (int n = 0; n < count; n++) {
        var unused = producer.send(new ProducerRecord<>(topic, SampleEvents.id(n), events.value(n)));
      }
    }
  }

  private static Map<String, String> kafkaEnvironment(String topic, String group, String dlq) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_GROUP_ID", group);
    env.put("KAFKA_DLQ_TOPIC", dlq);
    return env;
  }

  private static long committed(String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static long records(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
        .mapToLong(o -> o.offset()).sum();
  }

  @Test
  void untilCaughtUp_stopsWhenTheLagIsZero_withTheUsersGroupCommitted() throws Exception {
    produceSampleEvents("orders", 3, 3_000); // record 777 is a tombstone: dead-lettered
    kafka.createTopic("orders.dlq", 1);
    try (AepSimulator standIn = AepSimulator.builder().idPointer(SampleEvents.ID_POINTER)
        .authenticatedInlet("sandbox-inlet").oauthCredential("demo-client", "stand-in-secret").start()) {
      Map<String, String> env = kafkaEnvironment("orders", "orders-to-aep", "orders.dlq");
      env.put("AEP_INLET_URL", standIn.inletUrl("sandbox-inlet"));
      env.put("AEP_CLIENT_ID", "demo-client");
      env.put("AEP_CLIENT_SECRET", "stand-in-secret");
      env.put("AEP_ORG_ID", "ACME@AdobeOrg");
      env.put("AEP_IMS_URL", standIn.imsUrl());

      // --duration 1 would stop long before; --until-caught-up replaces it and --timeout bounds it.
      DemoRun run = DemoRun.of(env, "--until-caught-up", "--duration", "1", "--timeout", "90");

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out()).contains("caught up: consumer lag 0")
          .containsPattern("consumer lag +0 +\\(end − committed, group orders-to-aep\\)")
          .containsPattern("delivered +2,999 +\\(AEP's receipts")
          .containsPattern("dead-lettered +1 +\\(to orders.dlq\\)")
          .containsPattern("rec/s now \\| lag [0-9,]+ \\|")
          .doesNotContain("AepSimulator");
      assertThat(committed("orders-to-aep")).isEqualTo(3_000);
      assertThat(standIn.acceptedIds()).hasSize(2_999);
      assertThat(records("orders.dlq", 1)).isEqualTo(1);
    }
  }

  @Test
  void kafkaWithoutAep_isRefused_andTouchesNothing() throws Exception {
    produceSampleEvents("payments", 1, 10);
    Map<String, String> env = kafkaEnvironment("payments", "payments-to-aep", "payments.dlq");

    DemoRun run = DemoRun.of(env, "--until-caught-up", "--timeout", "30");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("but the AEP_* variables are not").contains("--simulate-aep")
        .contains("payments-to-aep");
    assertThat(run.out()).isEmpty();
    assertThat(committed("payments-to-aep")).isZero();
  }

  @Test
  void simulateAep_usesAThrowAwayGroup_andLeavesTheUsersGroupAndDeadLetterTopicUntouched() throws Exception {
    produceSampleEvents("clicks", 2, 2_000); // record 777 is a tombstone: a dead letter
    kafka.createTopic("clicks.dlq", 1);
    Map<String, String> env = kafkaEnvironment("clicks", "clicks-to-aep", "clicks.dlq");

    DemoRun run = DemoRun.of(env, "--simulate-aep", "--until-caught-up", "--aep-latency-ms", "50",
        "--timeout", "90");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("caught up: consumer lag 0")
        .containsPattern("delivered +1,999 +\\(receipts from the in-process simulator\\)")
        .containsPattern("dead-lettered +1 +\\(counted only\\)")
        .doesNotContain("could not delete");
    Matcher group = Pattern.compile("group (aep-client-demo-simulated-[0-9a-f]{8})").matcher(run.out());
    assertThat(group.find()).as(run.out()).isTrue();
    // The throw-away group was committed to reach lag 0, then deleted; the user's group never was.
    assertThat(committed(group.group(1))).isZero();
    assertThat(committed("clicks-to-aep")).isZero();
    assertThat(records("clicks.dlq", 1)).isZero();
    // Every request was held 50 ms by the simulator.
    Matcher p50 = Pattern.compile("p50 ([0-9.]+) ms").matcher(run.out());
    assertThat(p50.find()).isTrue();
    assertThat(Double.parseDouble(p50.group(1))).isGreaterThanOrEqualTo(50.0);
    assertThat(List.of(run.out().split("\n"))).noneMatch(l -> l.startsWith("forwarder failed"));
  }

  @Test
  void unreachableKafka_isNotAccountedFor_andDoesNotStretchTheRun() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort(); // nothing listens there once closed
    }
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closedPort);
    env.put("KAFKA_TOPIC", "orders");
    env.put("AEP_INLET_URL", "https://dcs.adobedc.net/collection/never-posted-to"); // nothing is read, none sent
    env.put("AEP_CLIENT_ID", "demo-client");
    env.put("AEP_CLIENT_SECRET", "not-a-secret");
    env.put("AEP_ORG_ID", "ACME@AdobeOrg");

    DemoRun run = DemoRun.of(env, "--duration", "1");

    // Read nothing and failed nothing, but that vouches for no record: not 0.
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).containsPattern("consumer lag +unknown")
        .contains("NOT accounted for: Kafka did not tell the consumer lag")
        .doesNotContain("every record read is accounted for");
    // Each lag question is bounded by what is left of --duration 1 (at least 1 s), not 10 s.
    Matcher ran = Pattern.compile("ran +([0-9.]+) s").matcher(run.out());
    assertThat(ran.find()).as(run.out()).isTrue();
    assertThat(Double.parseDouble(ran.group(1))).isLessThan(8.0);
  }
}
