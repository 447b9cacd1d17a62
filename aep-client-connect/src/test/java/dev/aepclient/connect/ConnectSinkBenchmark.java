package dev.aepclient.connect;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Connect sink against {@link AepKafkaForwarder} on the same topic, broker and simulator, at 0 and 50 ms of
 * added answer delay. Measured, never asserted; off unless {@code -Daep.bench=true}:
 *
 * <pre>
 * mvn -B -q -pl aep-client-connect -am test -Dtest=ConnectSinkBenchmark -Daep.bench=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false      # results in target/surefire-reports/*-output.txt
 * </pre>
 */
@EnabledIfSystemProperty(named = "aep.bench", matches = "true")
class ConnectSinkBenchmark {
  private static final int PARTITIONS = 6;
  private static final int RECORDS = Integer.getInteger("aep.bench.records", 200_000);

  @Test
  @Timeout(900)
  void connectSinkAgainstForwarder() throws Exception {
    List<String> lines = new ArrayList<>();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator aep = AepSimulator.builder().countingMode(true).threads(64).start(); // a delay holds a thread
        ConnectWorker worker = ConnectWorker.standalone(kafka, Files.createTempDirectory("bench"), 60_000)) {
      String topic = "bench-events";
      kafka.createTopic(topic, PARTITIONS);
      String pad = "x".repeat(420);
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(RECORDS);
      for (int i = 0; i < RECORDS; i++) {
        records.add(new ProducerRecord<>(topic, i % PARTITIONS, null, ("{\"id\":\"e" + i + "\",\"n\":" + i
            + ",\"_tenant\":{\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8)));
      }
      ConnectWorker.produce(kafka, topic, records);
      records = null;
      Map<TopicPartition, Long> end = ConnectWorker.endOffsets(kafka, topic, PARTITIONS);

      // A warm-up round (JIT, connections, the worker's plugin loading), not reported.
      forwarder(kafka, aep, topic, end, 0);
      sink(kafka, aep, worker, topic, end, 0, PARTITIONS);
      for (int delayMs : new int[] {0, 50}) {
        aep.clearFaults();
        if (delayMs > 0) {
          aep.randomFaults(1, Map.of(Fault.delay(Duration.ofMillis(delayMs)), 1.0));
        }
        lines.add(forwarder(kafka, aep, topic, end, delayMs));
        for (int tasks : new int[] {1, PARTITIONS}) {
          lines.add(sink(kafka, aep, worker, topic, end, delayMs, tasks));
        }
      }
    }
    System.out.println("| scenario | added delay | records/s to AEP | records/s to committed |");
    System.out.println("|---|---:|---:|---:|");
    lines.forEach(System.out::println);
  }

  private static String forwarder(EmbeddedKafkaBroker kafka, AepSimulator aep, String topic,
      Map<TopicPartition, Long> end, int delayMs) throws Exception {
    aep.resetRecords();
    Properties props = kafka.consumerProperties("fwd-" + UUID.randomUUID(), ByteArrayDeserializer.class,
        ByteArrayDeserializer.class);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500"); // Connect's default, for a like-for-like poll
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build()) {
      long start = System.nanoTime();
      AepKafkaForwarder<byte[], byte[]> forwarder = AepKafkaForwarder.builder(new KafkaConsumer<byte[], byte[]>(props),
          client).topics(topic).build().start();
      long delivered = awaitCount(aep, start);
      long committed;
      while (true) {
        Map<TopicPartition, Long> offsets = forwarder.metrics().committedOffsets();
        if (offsets.equals(end)) {
          committed = System.nanoTime();
          break;
        }
        Thread.sleep(10); // sampling period
      }
      forwarder.close();
      return row("AepKafkaForwarder (1 client, its defaults)", delayMs, start, delivered, committed);
    }
  }

  private static String sink(EmbeddedKafkaBroker kafka, AepSimulator aep, ConnectWorker worker, String topic,
      Map<TopicPartition, Long> end, int delayMs, int tasks) throws Exception {
    aep.resetRecords();
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", AepSinkConnector.class.getName());
    config.put("topics", topic);
    config.put("tasks.max", String.valueOf(tasks));
    config.put("aep.inlet.url", aep.inletUrl());
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    long start = System.nanoTime();
    worker.putConnector(name, config);
    long delivered = awaitCount(aep, start);
    long committed;
    try (Admin admin = kafka.admin()) {
      while (true) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listConsumerGroupOffsets("connect-" + name).partitionsToOffsetAndMetadata().get()
            .forEach((tp, om) -> offsets.put(tp, om == null ? -1 : om.offset()));
        if (offsets.equals(end)) {
          committed = System.nanoTime();
          break;
        }
        Thread.sleep(10); // sampling period
      }
    }
    worker.deleteConnector(name);
    return row("Connect sink, tasks.max=" + tasks + " (standalone worker, its defaults)", delayMs, start, delivered,
        committed);
  }

  private static long awaitCount(AepSimulator aep, long start) throws InterruptedException {
    while (aep.acceptedCount() < RECORDS) {
      if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
        throw new IllegalStateException("only " + aep.acceptedCount() + " of " + RECORDS + " arrived");
      }
      Thread.sleep(5); // sampling period
    }
    return System.nanoTime();
  }

  private static String row(String scenario, int delayMs, long start, long delivered, long committed) {
    return String.format("| %s | %d ms | %,.0f | %,.0f |", scenario, delayMs,
        RECORDS / ((delivered - start) / 1e9), RECORDS / ((committed - start) / 1e9));
  }
}
