package dev.aepclient.reliability;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The process {@link KafkaCrashTest} kills with SIGKILL: a forwarder with default settings, its consumer built from
 * properties that leave {@code enable.auto.commit} at Kafka's default (the forwarder turns it off), reporting every
 * 10 ms on stdout {@code uncommitted delivered polled} (uncommitted: the records a crash now would send again).
 *
 * <p>Arguments: bootstrap servers, inlet URL, topic, group.
 */
public final class KafkaCrashChild {
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
    AepStreamingClient client = AepStreamingClient.builder().inletUrl(args[1]).build();
    AepKafkaForwarder<String, String> forwarder = AepKafkaForwarder.builder(props, new StringDeserializer(),
        new StringDeserializer(), client).topics(args[2]).build().start();
    while (!forwarder.isTerminated()) {
      AepKafkaMetrics m = forwarder.metrics();
      System.out.println(m.uncommittedRecords() + " " + m.recordsDelivered() + " " + m.recordsPolled());
      System.out.flush();
      Thread.sleep(10); // a reporting cadence in a separate process, not a test's wait
    }
    System.out.println("stopped " + forwarder.failure().map(Throwable::toString).orElse(""));
  }
}
