package dev.aepclient.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.Fault;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Crashes, rebalances and a stalled AEP: at least once, nothing lost, the member stays in its group. */
class ResilienceTest extends KafkaTestBase {

  @Test
  @Timeout(120)
  void crashMidStream_thenANewForwarderInTheSameGroup_deliversEveryRecordAtLeastOnce() throws Exception {
    int total = 30_000;
    kafka.createTopic(topic, 3);
    produce(0, total);

    // A bridge in a loop of our own, "crashed" after a few polls: no final commit, client abandoned mid-flight.
    // AEP answers slowly meanwhile, so records are in flight at the crash.
    aep.enqueueFaults(200, Fault.delay(Duration.ofMillis(300)));
    AepStreamingClient crashing = clientBuilder().build();
    // A crashed member holds its partitions until its session times out: keep that short.
    Map<String, Object> shortSession = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(shortSession));
    AepKafkaBridge<String, String> bridge = AepKafkaBridge.builder(consumer, crashing)
        .commitInterval(Duration.ofMillis(50)).build();
    // A process that dies runs no callbacks: after the "crash" the bridge hears of nothing.
    AtomicBoolean crashed = new AtomicBoolean();
    ConsumerRebalanceListener listener = bridge.rebalanceListener();
    consumer.subscribe(java.util.List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (!crashed.get()) {
          listener.onPartitionsRevoked(partitions);
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        listener.onPartitionsAssigned(partitions);
      }
    });
    while (bridge.metrics().recordsPolled() < total / 3) {
      bridge.forward(consumer.poll(Duration.ofMillis(100)));
      bridge.commitReady();
    }
    long polledAtCrash = bridge.metrics().recordsPolled();
    crashed.set(true);
    consumer.close(Duration.ZERO); // no commit: auto-commit is off and the bridge is not asked
    crashing.close(Duration.ZERO); // whatever was in flight fails, uncommitted
    long committedAtCrash = committedTotal();
    assertThat(committedAtCrash).isLessThan(polledAtCrash);
    aep.clearFaults();

    AepStreamingClient client = closeLater(clientBuilder().build());
    AepKafkaForwarder<String, String> restarted = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(shortSession)), client).topics(topic)
        .commitInterval(Duration.ZERO).build()).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal() == total);
    restarted.close();

    assertThat(missing(total)).isEmpty();
    // Only records polled but not committed before the crash can arrive twice.
    assertThat(aep.duplicates()).isLessThanOrEqualTo(polledAtCrash - committedAtCrash);
    System.out.printf("crash: polled %d, committed %d at the crash; %d duplicates after restart%n",
        polledAtCrash, committedAtCrash, aep.duplicates());
  }

  @Test
  @Timeout(120)
  void twoForwardersInOneGroup_rebalanceMidStream_loseNothing() throws Exception {
    int total = 40_000;
    kafka.createTopic(topic, 6);
    produce(0, total);
    // Rate-limited (about 2,000 records/s each), so the stream is still running when the second member joins, and
    // with a small buffer, so a revoke waits for little.
    AepStreamingClient clientA = closeLater(slowSmallClient());
    AepStreamingClient clientB = closeLater(slowSmallClient());
    AepKafkaForwarder<String, String> a = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500))), clientA)
        .topics(topic).maxUnsettled(1_000, 32 << 20).build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.metrics().recordsDelivered() > 5_000);

    AepKafkaForwarder<String, String> b = closeLater(AepKafkaForwarder.builder(
        new KafkaConsumer<String, String>(consumerProps(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500))), clientB)
        .topics(topic).maxUnsettled(1_000, 32 << 20).build()).start();
    await().atMost(Duration.ofSeconds(90)).until(() -> committedTotal() == total);
    a.close();
    b.close();

    assertThat(a.failure()).isEmpty();
    assertThat(b.failure()).isEmpty();
    assertThat(missing(total)).isEmpty();
    assertThat(b.metrics().recordsPolled()).as("the second member got partitions").isPositive();
    System.out.printf("rebalance: A polled %d, B polled %d, %d duplicates%n", a.metrics().recordsPolled(),
        b.metrics().recordsPolled(), aep.duplicates());
  }

  @Test
  @Timeout(120)
  void stalledAep_pausesPartitions_memberStaysInTheGroupPastMaxPollInterval_thenFinishes() throws Exception {
    int total = 5_000;
    kafka.createTopic(topic, 2);
    produce(0, total);
    // The first requests (as many as may be in flight) hang 5 s: longer than max.poll.interval.ms below.
    aep.enqueueFaults(2, Fault.delay(Duration.ofSeconds(5)));
    AepStreamingClient client = closeLater(clientBuilder().maxRequestBytes(16_384).maxBatchBytes(16_384)
        .maxBufferedBytes(65_536).maxInFlightRequests(2).build());
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(Map.of(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 3000, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500)));
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer, client)
        .topics(topic).commitInterval(Duration.ofMillis(100)).build()).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> !forwarder.metrics().pausedPartitions().isEmpty());
    String memberBefore = onlyMember();
    long pausedAt = System.nanoTime();
    await().atMost(Duration.ofMinutes(2)).until(() -> committedTotal() == total);
    forwarder.close();

    assertThat(Duration.ofNanos(System.nanoTime() - pausedAt)).isGreaterThan(Duration.ofSeconds(3));
    assertThat(forwarder.failure()).isEmpty();
    assertThat(forwarder.metrics().pausedPartitions()).isEmpty();
    assertThat(missing(total)).isEmpty();
    assertThat(memberBefore).isNotNull();
    assertThat(aep.duplicates()).as("no rebalance, so nothing sent twice").isZero();
  }

  private AepStreamingClient slowSmallClient() {
    return clientBuilder().maxBatchRecords(100).maxRequestsPerSecond(20).maxRequestBytes(65_536)
        .maxBatchBytes(65_536).maxBufferedBytes(131_072).build();
  }

  private String onlyMember() throws Exception {
    try (Admin admin = kafka.admin()) {
      ConsumerGroupDescription description = admin.describeConsumerGroups(java.util.List.of(group))
          .describedGroups().get(group).get(10, TimeUnit.SECONDS);
      return description.members().stream().map(MemberDescription::consumerId).reduce((x, y) -> x + "," + y)
          .orElse(null);
    }
  }
}
