package dev.aepclient.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 10 item 7: AEP down for longer than the delivery timeout, on a real broker. */
class OutageTest extends KafkaTestBase {

  private record Change(ForwarderState state, Throwable cause) {}

  @Test
  @Timeout(90)
  void aepDownPastTheDeliveryTimeout_theForwarderWaitsDegradedInItsGroup_thenDeliversEverything() throws Exception {
    kafka.createTopic(topic, 2);
    produce(0, 2_000);
    aep.randomFaults(1, Map.of(Fault.status(503), 1.0));
    List<Change> changes = new CopyOnWriteArrayList<>();
    AepStreamingClient client = closeLater(clientBuilder().deliveryTimeout(Duration.ofSeconds(1)).build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).outageBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
        .stateListener((state, cause) -> changes.add(new Change(state, cause))).build()).start();

    await().atMost(Duration.ofSeconds(20)).until(() -> forwarder.state() == ForwarderState.DEGRADED);
    // Degraded for several delivery timeouts in a row: still there, still in the group, nothing committed.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> forwarder.state() == ForwarderState.DEGRADED);
    ForwarderHealth health = forwarder.health();
    assertThat(health.isReady()).isFalse();
    assertThat(health.isAlive()).isTrue();
    assertThat(health.cause()).get().isInstanceOf(dev.aepclient.AepDeliveryException.class);
    assertThat(health.unsettledRecords()).isPositive();
    assertThat(health.oldestUnsettledAge()).isGreaterThan(Duration.ofSeconds(2));
    assertThat(forwarder.metrics().pausedPartitions()).hasSize(2);
    assertThat(forwarder.isTerminated()).isFalse();
    assertThat(committedTotal()).isZero();
    assertThat(groupMembers()).isEqualTo(1);
    long requestsWhileDown = aep.requests().size();
    assertThat(requestsWhileDown).as("kept trying").isGreaterThan(3);

    aep.clearFaults();
    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 2_000);
    assertThat(forwarder.state()).isEqualTo(ForwarderState.RUNNING);
    assertThat(forwarder.health().isReady()).isTrue();
    assertThat(forwarder.metrics().pausedPartitions()).isEmpty();
    assertThat(changes).extracting(Change::state).startsWith(ForwarderState.DEGRADED, ForwarderState.RUNNING);
    assertThat(missing(2_000)).isEmpty();
    forwarder.close();
    assertThat(forwarder.failure()).isEmpty();
    assertThat(changes.get(changes.size() - 1)).isEqualTo(new Change(ForwarderState.STOPPED, null));
  }

  @Test
  @Timeout(60)
  void stopAfter_endsAnOutageWithAStop_withoutCommitting_andTellsTheListenerWhy() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 200);
    aep.randomFaults(1, Map.of(Fault.status(503), 1.0));
    List<Change> changes = new CopyOnWriteArrayList<>();
    AepStreamingClient client = closeLater(clientBuilder().deliveryTimeout(Duration.ofSeconds(1)).build());
    long start = System.nanoTime();
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).stopAfter(Duration.ofSeconds(2)).outageBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .stateListener((state, cause) -> changes.add(new Change(state, cause))).build()).start();

    assertThat(forwarder.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(2));
    assertThat(forwarder.failure()).get().isInstanceOf(AepForwardingException.class);
    assertThat(forwarder.failure().get().getMessage()).contains("stopAfter").contains("will be sent again");
    assertThat(changes).extracting(Change::state).containsExactly(ForwarderState.DEGRADED, ForwarderState.STOPPED);
    assertThat(changes.get(1).cause()).isSameAs(forwarder.failure().get());
    assertThat(forwarder.health().isAlive()).isFalse();
    assertThat(committedTotal()).isZero();
  }

  @Test
  void aStateListenerThatThrows_doesNotStopForwarding() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, 50);
    aep.enqueueFaults(4, Fault.status(503));
    AepStreamingClient client = closeLater(clientBuilder().deliveryTimeout(Duration.ofSeconds(1)).build());
    AepKafkaForwarder<String, String> forwarder = closeLater(AepKafkaForwarder.builder(consumer(), client)
        .topics(topic).outageBackoff(Duration.ofMillis(20), Duration.ofMillis(50))
        .stateListener((state, cause) -> {
          throw new IllegalStateException("listener bug");
        }).build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 50);
    assertThat(forwarder.failure()).isEmpty();
    assertThat(missing(50)).isEmpty();
  }

  @Test
  @Timeout(90)
  void aRebalanceTakingAwayEveryRecordWaitingOutAnOutage_doesNotLeaveTheForwarderPausedForGood() throws Exception {
    kafka.createTopic(topic, 2);
    produce(0, 2_000);
    aep.randomFaults(1, Map.of(Fault.status(503), 1.0));
    AepStreamingClient clientA = closeLater(clientBuilder().deliveryTimeout(Duration.ofSeconds(1)).build());
    AepKafkaForwarder<String, String> a = closeLater(AepKafkaForwarder.builder(consumer(), clientA)
        .topics(topic).outageBackoff(Duration.ofMillis(50), Duration.ofMillis(400)).build()).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.state() == ForwarderState.DEGRADED);

    // A second member joins: the eager (range) rebalance revokes both partitions from A, with every record waiting
    // in them, and gives one back. A has nothing left to send again, so no success can bring it back to RUNNING.
    AepStreamingClient clientB = closeLater(clientBuilder().deliveryTimeout(Duration.ofSeconds(1)).build());
    AepKafkaForwarder<String, String> b = closeLater(AepKafkaForwarder.builder(consumer(), clientB)
        .topics(topic).outageBackoff(Duration.ofMillis(50), Duration.ofMillis(400)).build()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> groupMembers() == 2
        && a.metrics().unsettledByPartition().size() == 1 && b.metrics().unsettledByPartition().size() == 1);

    aep.clearFaults();
    await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal() == 2_000);
    assertThat(missing(2_000)).isEmpty();
    assertThat(a.state()).isEqualTo(ForwarderState.RUNNING);
    assertThat(a.failure()).isEmpty();
    assertThat(b.failure()).isEmpty();
  }

  private int groupMembers() throws Exception {
    try (Admin admin = kafka.admin()) {
      return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS)
          .members().size();
    }
  }
}
