package dev.aepclient.reliability;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import dev.aepclient.kafka.RecordMapper;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The process {@link KafkaCrashTest} kills with SIGKILL: a forwarder with default settings, its consumer built from
 * properties that leave {@code enable.auto.commit} at Kafka's default (the forwarder turns it off).
 *
 * <p>What a kill can send twice is published without a report round: the default mapper is wrapped so that, before
 * each record is handed to the client, the next offset of its partition goes into a memory-mapped file ({@code
 * long} per partition, at {@code 8 × partition}). The stores land in the page cache at once, so the parent reads
 * them after the SIGKILL exactly as they were at the kill. Every 10 ms it also reports on stdout
 * {@code uncommitted delivered polled paused-partitions state lag} (for the parent's kill trigger and
 * for diagnosing a child that stops making progress).
 *
 * <p>Arguments: bootstrap servers, inlet URL, topic, group, path of the offsets file.
 */
public final class KafkaCrashChild {
  /** Partitions the offsets file has room for. */
  static final int MAX_PARTITIONS = 64;

  private KafkaCrashChild() {}

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, args[3]);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Static membership: the next incarnation takes the killed one's partitions at once, as a restarted pod does.
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "crash-child");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
    MappedByteBuffer handedUpTo;
    try (FileChannel file = FileChannel.open(Path.of(args[4]), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      handedUpTo = file.map(FileChannel.MapMode.READ_WRITE, 0, 8L * MAX_PARTITIONS); // stays mapped after close
    }
    RecordMapper<String, String> json = RecordMapper.valueAsJson();
    RecordMapper<String, String> publishing = record -> { // on the poll thread, before the record is handed over
      int at = 8 * record.partition();
      handedUpTo.putLong(at, Math.max(handedUpTo.getLong(at), record.offset() + 1));
      return json.map(record);
    };
    AepStreamingClient client = AepStreamingClient.builder().inletUrl(args[1]).build();
    AepKafkaForwarder<String, String> forwarder = AepKafkaForwarder.builder(props, new StringDeserializer(),
        new StringDeserializer(), client).topics(args[2]).mapper(publishing).build().start();
    while (!forwarder.isTerminated()) {
      AepKafkaMetrics m = forwarder.metrics();
      System.out.println(m.uncommittedRecords() + " " + m.recordsDelivered() + " " + m.recordsPolled() + " "
          + m.pausedPartitions().size() + " " + m.state() + " " + m.lag().values().stream().mapToLong(l -> l).sum());
      System.out.flush();
      Thread.sleep(10); // a reporting cadence in a separate process, not a test's wait
    }
    System.out.println("stopped " + forwarder.failure().map(Throwable::toString).orElse(""));
  }
}
