package dev.aepclient.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.Fault;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 item 8 on a real broker: a second forwarder joining mid-stream under the cooperative-sticky assignor and
 * under the new consumer group protocol (0 duplicates: revoked partitions are awaited and committed), a revoke that
 * times out with records held back, a member that dies mid-rebalance without leaving.
 */
class RebalanceTest extends KafkaTestBase {

  @Test
  @Timeout(60)
  void cooperativeSticky_aSecondForwarderJoiningMidStream_losesNothing_andSendsNothingTwice() throws Exception {
    twoForwardersZeroDuplicates(Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName()));
  }

  @Test
  @Timeout(60)
  void theConsumerGroupProtocol_aSecondForwarderJoiningMidStream_losesNothing_andSendsNothingTwice()
      throws Exception {
    Assumptions.assumeFalse(AppInfoParser.getVersion().startsWith("3."),
        "group.protocol=consumer is generally available from Kafka 4.0");
    twoForwardersZeroDuplicates(Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"));
  }

  private void twoForwardersZeroDuplicates(Map<String, Object> protocol) throws Exception {
    int total = 16_000;
    kafka.createTopic(topic, 6);
    produce(0, total);
    Map<String, Object> props = new HashMap<>(protocol);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    AepStreamingClient clientA = closeLater(slowClient());
    AepStreamingClient clientB = closeLater(slowClient());
    // A small window, so a revoke (which waits for the revoked partitions' records in flight) is quick against
    // these rate-limited clients.
    AepKafkaForwarder<String, String> a = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(props)), clientA).topics(topic).maxUnsettled(1_000, 32 << 20)
        .build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.metrics().recordsDelivered() > 3_000);
    AepKafkaForwarder<String, String> b = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(props)), clientB).topics(topic).maxUnsettled(1_000, 32 << 20)
        .build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> b.metrics().recordsPolled() > 0);
    assertThat(committedTotal()).as("B joined while the stream ran").isLessThan(total);

    await().atMost(Duration.ofSeconds(45)).until(() -> committedTotal() == total);
    a.close();
    b.close();
    assertThat(a.failure()).isEmpty();
    assertThat(b.failure()).isEmpty();
    assertThat(b.metrics().recordsDelivered()).as("the second member got partitions").isPositive();
    assertThat(missing(total)).isEmpty();
    assertThat(aep.duplicates()).as("a clean rebalance sends nothing twice").isZero();
  }

  @Test
  @Timeout(60)
  void aRevokeThatTimesOut_withRecordsHeldBack_commitsOnlyTheSettledPrefix_andTheNewOwnerSendsTheRest()
      throws Exception {
    int total = 4_000;
    kafka.createTopic(topic, 2);
    produce(0, total);
    // A's answers hang 4 s while B joins: A's revoke gives up after 300 ms, with records in flight and held back.
    aep.enqueueFaults(4, Fault.delay(Duration.ofSeconds(4)));
    AepStreamingClient clientA = closeLater(clientBuilder().maxInFlightRequests(2).maxBatchRecords(100)
        .maxRequestBytes(16_384).maxBatchBytes(16_384).maxBufferedBytes(32_768).build());
    AepKafkaForwarder<String, String> a = closeLater(AepKafkaForwarder.builder(consumer(), clientA).topics(topic)
        .revokeTimeout(Duration.ofMillis(300)).build()).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.metrics().recordsHeld() > 0);
    long committedBefore = committedTotal();

    AepStreamingClient clientB = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> b = closeLater(AepKafkaForwarder.builder(consumer(), clientB).topics(topic)
        .build()).start();
    await().atMost(Duration.ofSeconds(40)).until(() -> committedTotal() == total);
    a.close();
    b.close();
    assertThat(committedBefore).isLessThan(total);
    assertThat(a.failure()).isEmpty();
    assertThat(b.failure()).isEmpty();
    assertThat(missing(total)).isEmpty();
    // Only A's records in flight at the timed-out revoke (2 requests of 100) can arrive twice.
    assertThat(aep.duplicates()).isLessThanOrEqualTo(200);
  }

  /** Regression: a record that found the buffer full counted as in flight, so every such revoke waited it out. */
  @Test
  @Timeout(60)
  void aRevoke_doesNotWaitForRecordsStillWaitingForBufferSpace() throws Exception {
    int total = 3_000;
    kafka.createTopic(topic, 2);
    produce(0, total);
    // About 200 records/s, so the stream still runs when B has joined; a 32 KB buffer, so records wait for space.
    AepStreamingClient clientA = closeLater(clientBuilder().maxRequestsPerSecond(2).maxRequestBytes(16_384)
        .maxBatchBytes(16_384).maxBufferedBytes(32_768).build());
    Map<String, Object> quickHeartbeat = Map.of(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
    AepKafkaForwarder<String, String> a = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(quickHeartbeat)), clientA).topics(topic)
        .revokeTimeout(Duration.ofSeconds(40)).build()).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.metrics().recordsHeld() > 0);

    long joined = System.nanoTime();
    AepStreamingClient clientB = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> b = closeLater(AepKafkaForwarder.builder(consumer(), clientB).topics(topic)
        .build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> b.metrics().recordsPolled() > 0);
    assertThat(Duration.ofNanos(System.nanoTime() - joined)).as("the revoke waited only for handed records")
        .isLessThan(Duration.ofSeconds(15));
    await().atMost(Duration.ofSeconds(40)).until(() -> committedTotal() == total);
    a.close();
    b.close();
    assertThat(a.failure()).isEmpty();
    assertThat(missing(total)).isEmpty();
  }

  @Test
  @Timeout(60)
  void aMemberThatDiesMidRebalanceWithoutLeaving_isWaitedOut_andTheForwarderFinishesAlone() throws Exception {
    int total = 6_000;
    kafka.createTopic(topic, 4);
    produce(0, total);
    AepStreamingClient client = closeLater(slowClient());
    AepKafkaForwarder<String, String> a = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200))),
        client).topics(topic).build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.metrics().recordsDelivered() > 1_000);

    // A static member joins (A gives up half its partitions), polls once and "dies": a static member's close sends
    // no LeaveGroup, so its partitions stay with it until its 2 s session expires.
    Map<String, Object> dying = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "dies-" + group,
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 2_000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
    try (KafkaConsumer<String, String> member = new KafkaConsumer<>(consumerProps(dying))) {
      member.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        member.poll(Duration.ofMillis(100));
        return !member.assignment().isEmpty();
      });
    }
    await().atMost(Duration.ofSeconds(40)).until(() -> committedTotal() == total);
    a.close();
    assertThat(a.failure()).isEmpty();
    assertThat(missing(total)).isEmpty();
    assertThat(aep.duplicates()).as("the dead member delivered nothing; A committed before giving up partitions")
        .isZero();
  }

  /**
   * A loop of the user's own that stops polling for longer than max.poll.interval.ms: the consumer leaves its group,
   * and the next poll reports its partitions lost. The bridge drops them without committing (another member may own
   * them) and goes on once they are assigned again; nothing is lost.
   */
  @Test
  @Timeout(60)
  void partitionsLostAfterAStalledLoop_areDroppedWithoutACommit_andForwardingGoesOn() throws Exception {
    int total = 2_000;
    kafka.createTopic(topic, 2);
    produce(0, total);
    aep.enqueueFaults(3, Fault.delay(Duration.ofSeconds(3)));
    AepStreamingClient client = closeLater(clientBuilder().build());
    KafkaConsumer<String, String> consumer = closeLater(new KafkaConsumer<>(consumerProps(Map.of(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 1_500, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300,
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000))));
    AepKafkaBridge<String, String> bridge = closeLater(AepKafkaBridge.builder(consumer, client).build());
    List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
    org.apache.kafka.clients.consumer.ConsumerRebalanceListener listener = bridge.rebalanceListener();
    consumer.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
        listener.onPartitionsRevoked(partitions);
      }

      @Override
      public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
        listener.onPartitionsAssigned(partitions);
      }

      @Override
      public void onPartitionsLost(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
        lost.add(partitions.toString());
        listener.onPartitionsLost(partitions);
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      bridge.forward(consumer.poll(Duration.ofMillis(50)));
      bridge.commitReady();
      return bridge.metrics().recordsPolled() > 0 && bridge.metrics().unsettledRecords() > 0;
    });
    // The loop stalls (this thread waits on the group instead of polling) until the consumer has left the group.
    await().atMost(Duration.ofSeconds(20)).until(() -> groupMembers() == 0);

    await().atMost(Duration.ofSeconds(40)).until(() -> {
      bridge.forward(consumer.poll(Duration.ofMillis(50)));
      bridge.commitReady();
      return committedTotal() == total;
    });
    assertThat(lost).as("the consumer reported its partitions lost").isNotEmpty();
    assertThat(bridge.failure()).isEmpty();
    assertThat(missing(total)).isEmpty();
  }

  private int groupMembers() throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
      return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
          .get(10, java.util.concurrent.TimeUnit.SECONDS).members().size();
    }
  }

  private AepStreamingClient slowClient() {
    return clientBuilder().maxBatchRecords(100).maxRequestsPerSecond(20).build();
  }
}
