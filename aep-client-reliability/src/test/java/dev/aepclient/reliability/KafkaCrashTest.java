package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * Real kills: five times, a forwarder running in a child JVM ({@link KafkaCrashChild}, default settings) is killed
 * with SIGKILL ({@link Process#destroyForcibly()} on Linux) at a random point of a 150,000-record run, and the next
 * one starts in the same group. At the end every record reached AEP at least once, and each kill cost at most the
 * records in flight at the kill plus those settled during the commit round trip under way, in duplicates, counted
 * exactly: per partition, from the offset the broker has committed after the kill up to the next offset the child
 * had handed to its client (which the child stores, before handing each record, in a memory-mapped file that the
 * SIGKILL cannot cut short).
 */
@Tag("reliability")
class KafkaCrashTest {
  private static final String TOPIC = "crash-events";
  private static final String GROUP = "crash-forwarder";
  private static final int PARTITIONS = 6;
  private static final int RECORDS = 150_000;
  private static final int CRASHES = 5;
  /**
   * No slack is needed: a record sent twice because of kill i is one incarnation i handed to its client (so it is
   * below the handed offset the child stored first) at an offset the broker had not committed (a commit that lands
   * after the read only lowers the count), and the next incarnation is killed only once it has committed past all
   * of them, so none of kill i's duplicates is counted against another kill. The simulator sees no faults, so the
   * client sends nothing twice by itself.
   */
  private static final long SLACK = 0;

  private static volatile String lastReport = "";

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void fiveSigkillsLoseNothing_andEachCostsAtMostItsUncommittedRecordsInDuplicates() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator aep = AepSimulator.builder().idPointer("/id").start()) {
      kafka.createTopic(TOPIC, PARTITIONS);
      produce(kafka);
      Random random = new Random(20261125);
      List<String> crashes = new ArrayList<>();
      long[] inFlightAtKill = new long[CRASHES];
      long[] duplicatesAfter = new long[CRASHES + 1];
      long[] handedBefore = new long[PARTITIONS];
      try (Admin admin = kafka.admin()) {
        for (int crash = 0; crash < CRASHES; crash++) {
          // A child goes on forwarding at full speed until its kill point is reached (its target, and the group
          // committed past what the previous one handed over), so it may consume far more than its target: the
          // target is capped so that every later child still finds records to deliver.
          long remaining = crash == 0 ? RECORDS : RECORDS - LongStream.of(committedOffsets(admin)).sum();
          long target = Math.min(12_000L + random.nextInt(6_000), remaining / (CRASHES - crash + 1));
          Path offsetsFile = Path.of("target", "kafka-crash-child-" + (crash + 1) + ".offsets");
          Files.deleteIfExists(offsetsFile);
          long[] last = runUntilKilled(kafka, aep, admin, target, offsetsFile, handedBefore);
          long[] handed = handedOffsets(offsetsFile);
          long[] committed = committedOffsets(admin);
          for (int p = 0; p < PARTITIONS; p++) {
            inFlightAtKill[crash] += Math.max(0, handed[p] - committed[p]);
          }
          handedBefore = handed;
          duplicatesAfter[crash] = aep.duplicates();
          crashes.add(String.format("kill %d: delivered %,d, handed and not committed %,d (last 10 ms report:"
              + " %,d uncommitted), committed %,d in all", crash + 1, last[1], inFlightAtKill[crash], last[0],
              LongStream.of(committed).sum()));
        }
      }

      AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build();
      Properties props = consumerProps(kafka);
      props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "crash-child");
      AepKafkaForwarder<String, String> last = AepKafkaForwarder.builder(new KafkaConsumer<String, String>(props),
          client).topics(TOPIC).build().start();
      await().atMost(Duration.ofMinutes(2)).until(() -> committed(kafka) == RECORDS);
      last.close();
      client.close();
      duplicatesAfter[CRASHES] = aep.duplicates();

      List<Integer> missing = new ArrayList<>();
      Map<String, Integer> accepted = aep.acceptedIds();
      for (int n = 0; n < RECORDS; n++) {
        if (!accepted.containsKey(String.valueOf(n))) {
          missing.add(n);
        }
      }
      assertThat(missing).as("records never delivered").isEmpty();
      StringBuilder perCrash = new StringBuilder();
      for (int crash = 0; crash < CRASHES; crash++) {
        // Kill i's duplicates arrive in the next incarnation, which re-reads from the committed offsets first and
        // is killed only after committing past everything incarnation i handed over.
        long duplicates = duplicatesAfter[crash + 1] - duplicatesAfter[crash];
        perCrash.append(String.format("%n  kill %d: %,d duplicates, %,d records handed to the client and not"
            + " committed at the kill", crash + 1, duplicates, inFlightAtKill[crash]));
      }
      for (int crash = 0; crash < CRASHES; crash++) {
        assertThat(duplicatesAfter[crash + 1] - duplicatesAfter[crash])
            .as("duplicates of kill %d (all kills: %s)", crash + 1, perCrash)
            .isLessThanOrEqualTo(inFlightAtKill[crash] + SLACK);
      }
      String report = String.format("kafka SIGKILLs: %s; %,d records, every one delivered; %,d duplicates in all%s%n",
          crashes, RECORDS, aep.duplicates(), perCrash);
      System.out.print(report);
      Files.writeString(Path.of("target", "kafka-crashes.txt"), report);
    }
  }

  /**
   * Starts a child forwarder and kills it with SIGKILL once it delivered {@code target} records and the group has
   * committed, on every partition, past what the previous incarnation handed to its client; returns its last
   * report.
   */
  private long[] runUntilKilled(EmbeddedKafkaBroker kafka, AepSimulator aep, Admin admin, long target,
      Path offsetsFile, long[] handedBefore) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        KafkaCrashChild.class.getName(), kafka.bootstrapServers(), aep.inletUrl(), TOPIC, GROUP,
        offsetsFile.toString()).redirectError(new File("target", "kafka-crash-child.log"));
    Path reports = Path.of("target", "kafka-crash-child.out");
    builder.redirectOutput(reports.toFile());
    Process child = builder.start();
    long[] last = {0, 0, 0};
    try (BufferedReader out = Files.newBufferedReader(reports, StandardCharsets.UTF_8)) {
      try {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(2))
            .until(() -> readReports(out, last) >= target && committedPast(admin, handedBefore));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("the child did not reach its kill point (delivered " + target + ", committed past "
            + Arrays.toString(handedBefore) + ", committed now "
            + Arrays.toString(committedOffsets(admin)) + "); its last report (uncommitted delivered polled"
            + " paused state lag): " + lastReport, e);
      }
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no final commit, no leave-group
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      readReports(out, last); // the reports written before the kill landed: the last one counts
    } finally {
      child.destroyForcibly();
    }
    assertThat(last[1]).as("the child delivered its target before the kill").isGreaterThanOrEqualTo(target);
    return last;
  }

  private static boolean committedPast(Admin admin, long[] offsets) throws Exception {
    long[] committed = committedOffsets(admin);
    for (int p = 0; p < PARTITIONS; p++) {
      if (committed[p] < offsets[p]) {
        return false;
      }
    }
    return true;
  }

  /** Per partition, the next offset the child had handed to its client when it died (0: none). */
  private static long[] handedOffsets(Path offsetsFile) throws java.io.IOException {
    ByteBuffer stored = ByteBuffer.wrap(Files.readAllBytes(offsetsFile));
    long[] handed = new long[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
      handed[p] = stored.getLong(8 * p);
    }
    return handed;
  }

  /** Per partition, the group's committed offset (0: none). */
  private static long[] committedOffsets(Admin admin) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    long[] committed = new long[PARTITIONS];
    offsets.forEach((tp, o) -> {
      if (o != null && tp.topic().equals(TOPIC)) {
        committed[tp.partition()] = o.offset();
      }
    });
    return committed;
  }

  /** Reads the child's new report lines into {@code last}; returns the delivered count. */
  private static long readReports(BufferedReader out, long[] last) throws java.io.IOException {
    for (String line; (line = out.readLine()) != null; ) {
      lastReport = line;
      if (line.startsWith("stopped")) {
        throw new AssertionError("the child stopped by itself: " + line);
      }
      String[] parts = line.trim().split(" ", -1);
      if (parts.length == 6) { // else a line the kill (or a read mid-write) cut
        for (int i = 0; i < 3; i++) {
          last[i] = Long.parseLong(parts[i]);
        }
      }
    }
    return last[1];
  }

  private static void produce(EmbeddedKafkaBroker kafka) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        kafka.producerProperties(StringSerializer.class, StringSerializer.class))) {
      for (int n = 0; n < RECORDS; n++) {
        var unused = producer.send(
            new ProducerRecord<>(TOPIC, String.valueOf(n), "{\"id\":\"" + n + "\",\"v\":" + n + "}"));
      }
    }
  }

  private static Properties consumerProps(EmbeddedKafkaBroker kafka) {
    Properties props = kafka.consumerProperties(GROUP, StringDeserializer.class, StringDeserializer.class);
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
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
