package dev.aepclient.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.testkit.AepSimulator;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task's promises driven call by call, as Connect's WorkerSinkTask drives them, against a real AEP simulator
 * over loopback: what preCommit may return, what put may pause and resume, what stop releases. The context is a
 * plain implementation of the task-facing {@link SinkTaskContext} interface (a proxy, so it compiles against the
 * Kafka 3.x and 4.x APIs alike); nothing of Kafka's or the client's internals is replaced.
 */
class AepSinkTaskContractTest {
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private final TopicPartition tp = new TopicPartition("events", 0);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Set<TopicPartition> paused = ConcurrentHashMap.newKeySet();
  private final List<TopicPartition> resumes = new CopyOnWriteArrayList<>();
  private final List<SinkRecord> reportedRecords = new CopyOnWriteArrayList<>();
  private final List<Throwable> reportedErrors = new CopyOnWriteArrayList<>();
  /** What the fake reporter hands back for the next report; completed unless a test holds it. */
  private volatile CompletableFuture<Void> nextReport = CompletableFuture.completedFuture(null);
  private SinkTaskContext lastContext;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private AepSimulator simulator(Duration latency) {
    AepSimulator aep = AepSimulator.builder().latency(latency, Duration.ZERO).start();
    closeables.add(aep);
    return aep;
  }

  private SinkTaskContext context(boolean withReporter) {
    ErrantRecordReporter reporter = (record, error) -> {
      reportedRecords.add(record);
      reportedErrors.add(error);
      return nextReport;
    };
    return (SinkTaskContext) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {SinkTaskContext.class}, (proxy, method, args) -> switch (method.getName()) {
          case "pause" -> {
            for (Object p : (Object[]) args[0]) {
              paused.add((TopicPartition) p);
            }
            yield null;
          }
          case "resume" -> {
            for (Object p : (Object[]) args[0]) {
              resumes.add((TopicPartition) p);
              paused.remove((TopicPartition) p);
            }
            yield null;
          }
          case "errantRecordReporter" -> withReporter ? reporter : null;
          case "assignment" -> Set.of(tp);
          case "configs" -> Map.of();
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "test context";
          default -> null; // timeout, requestCommit, offset, pluginMetrics
        });
  }

  private Map<String, String> config(AepSimulator aep, String clientName) {
    Map<String, String> config = new HashMap<>();
    config.put("aep.inlet.url", aep.inletUrl());
    config.put("aep.linger.ms", "1");
    config.put("aep.client.name", clientName);
    config.put("aep.retry.backoff.ms", "20");
    config.put("aep.retry.backoff.max.ms", "200");
    return config;
  }

  private AepSinkTask started(Map<String, String> config, boolean withReporter) {
    AepSinkTask task = new AepSinkTask();
    lastContext = context(withReporter);
    task.initialize(lastContext);
    task.start(config);
    closeables.add(task::stop);
    return task;
  }

  private static String uniqueName() {
    return "contract-" + CLIENTS.incrementAndGet() + "-" + ProcessHandle.current().pid();
  }

  private static SinkRecord record(String topic, int partition, long offset, Object value) {
    return new SinkRecord(topic, partition, null, null, Schema.OPTIONAL_STRING_SCHEMA, value, offset);
  }

  private static String json(String id) {
    return "{\"id\":\"" + id + "\"}";
  }

  /** preCommit as Connect calls it: with the consumer's position, after a put that let outcomes be handled. */
  private static Long committable(AepSinkTask task, TopicPartition tp, long position) {
    task.put(List.of());
    Map<TopicPartition, OffsetAndMetadata> offsets =
        task.preCommit(Map.of(tp, new OffsetAndMetadata(position)));
    OffsetAndMetadata offset = offsets.get(tp);
    return offset == null ? null : offset.offset();
  }

  @Test
  void aRefusedRecordIsNotCommittedPastUntilTheDeadLetterWriteCompletes() {
    AepSimulator aep = simulator(Duration.ZERO);
    aep.rejectWhen(m -> m.path("id").asText().equals("bad"), 400, "bad field");
    AepSinkTask task = started(config(aep, uniqueName()), true);
    task.open(List.of(tp));
    CompletableFuture<Void> held = new CompletableFuture<>();
    nextReport = held;

    task.put(List.of(record("events", 0, 0, json("bad")), record("events", 0, 1, json("a")),
        record("events", 0, 2, json("b"))));

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      task.put(List.of());
      return aep.acceptedCount() == 2 && reportedRecords.size() == 1;
    });
    assertThat(reportedErrors.get(0).getMessage()).contains("400").contains("bad field");
    assertThat(committable(task, tp, 3)).as("offset 0 is only handed to the DLQ, not stored yet").isNull();
    held.complete(null);
    await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(3).equals(committable(task, tp, 3)));
  }

  @Test
  void anSmtThatMovesTheRecordCommitsItsOriginalPartitionAndOffset() {
    AepSimulator aep = simulator(Duration.ZERO);
    AepSinkTask task = started(config(aep, uniqueName()), true);
    task.open(List.of(tp));
    // What RegexRouter + a partition-changing SMT hand to put: new coordinates, the consumer's kept as originals.
    SinkRecord moved = new SinkRecord("renamed", 7, null, null, Schema.STRING_SCHEMA, json("m"), 999L, 0L,
        TimestampType.CREATE_TIME, List.of(), "events", 0, 41L);

    task.put(List.of(moved));

    await().atMost(Duration.ofSeconds(20)).until(() -> committable(task, tp, 42) != null);
    Map<TopicPartition, OffsetAndMetadata> offsets = task.preCommit(Map.of(tp, new OffsetAndMetadata(42),
        new TopicPartition("renamed", 7), new OffsetAndMetadata(1000)));
    assertThat(offsets).containsOnlyKeys(tp);
    assertThat(offsets.get(tp).offset()).isEqualTo(42L);
  }

  @Test
  void aCompactedTopicsGapsCommitOnePastTheLastSettledRecordAndAnEmptyPutChangesNothing() {
    AepSimulator aep = simulator(Duration.ofMillis(200));
    AepSinkTask task = started(config(aep, uniqueName()), true);
    task.open(List.of(tp));
    task.put(List.of());
    assertThat(committable(task, tp, 0)).as("nothing put: nothing past the position").isIn(null, 0L);

    task.put(List.of(record("events", 0, 3, json("x")), record("events", 0, 10, json("y")),
        record("events", 0, 17, json("z"))));

    // Connect's position after them is 18; while any is in flight nothing past it is committed.
    Long whileInFlight = committable(task, tp, 18);
    assertThat(whileInFlight).as("committed while 3, 10 and 17 were in flight").isIn(null, 4L, 11L);
    await().atMost(Duration.ofSeconds(20)).until(() -> committable(task, tp, 18) != null
        && committable(task, tp, 18) == 18L);
  }

  @Test
  void aPartitionClosedAndReassignedDoesNotCommitTheOldGenerationsProgress() {
    AepSimulator aep = simulator(Duration.ofMillis(400));
    Map<String, String> config = config(aep, uniqueName());
    config.put(AepSinkConfig.CLOSE_TIMEOUT_MS, "0");
    AepSinkTask task = started(config, true);
    task.open(List.of(tp));
    List<SinkRecord> firstGeneration = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      firstGeneration.add(record("events", 0, i, json("old-" + i)));
    }
    task.put(firstGeneration);

    task.close(List.of(tp)); // revoked while all five are in flight
    task.open(List.of(tp)); // and given back: Connect rewinds to the committed offset (none) and redelivers
    task.put(List.of(record("events", 0, 0, json("new-0")), record("events", 0, 1, json("new-1"))));

    // The old generation's five settle too; whatever is committed meanwhile is never past the new generation's.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(committable(task, tp, 2))
        .as("the redelivered records were sent again, not taken as done by the old generation").isEqualTo(2L));
    assertThat(aep.acceptedCount()).isEqualTo(7);
  }

  @Test
  void aFullBufferPausesWithoutBlockingAndResumesOnlyThePartitionsTheTaskPaused() {
    AepSimulator aep = simulator(Duration.ofMillis(300));
    Map<String, String> config = config(aep, uniqueName());
    config.put("aep.buffer.max.bytes", "2048");
    config.put("aep.max.request.bytes", "2048");
    config.put("aep.batch.max.bytes", "2048");
    AepSinkTask task = started(config, true);
    TopicPartition other = new TopicPartition("events", 1);
    task.open(List.of(tp, other));
    lastContext.pause(other); // paused by the framework (or another party) for its own reasons

    List<SinkRecord> records = new ArrayList<>();
    String pad = "p".repeat(150);
    for (int i = 0; i < 60; i++) {
      records.add(record("events", 0, i, "{\"id\":\"r" + i + "\",\"pad\":\"" + pad + "\"}"));
    }
    long start = System.nanoTime();
    task.put(records);
    long tookMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(tookMs).as("put waited for AEP").isLessThan(250);
    assertThat(paused).contains(tp);
    await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(60).equals(committable(task, tp, 60)));
    assertThat(aep.acceptedCount()).isEqualTo(60);
    assertThat(resumes).contains(tp).doesNotContain(other);
    assertThat(paused).containsExactly(other);
  }

  @Test
  void stopIsBoundedReleasesTheClientThreadsAndATaskRestartedInTheSameJvmDelivers() {
    AepSimulator aep = simulator(Duration.ZERO);
    String name = uniqueName();
    for (int generation = 0; generation < 2; generation++) {
      AepSinkTask task = new AepSinkTask();
      task.initialize(context(true));
      task.start(config(aep, name));
      task.open(List.of(tp));
      task.put(List.of(record("events", 0, generation, json("g" + generation))));
      int expected = generation + 1;
      long position = generation + 1L;
      await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(position).equals(committable(task, tp,
          position)));
      assertThat(aep.acceptedCount()).isEqualTo(expected);
      task.close(List.of(tp));
      long start = System.nanoTime();
      task.stop();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(t -> t.isAlive() && t.getName().contains(name)).isEmpty());
    }
  }

  @Test
  void aStalledAepDoesNotHoldStopPastTheCloseTimeout() {
    AepSimulator aep = simulator(Duration.ofSeconds(30));
    Map<String, String> config = config(aep, uniqueName());
    config.put(AepSinkConfig.CLOSE_TIMEOUT_MS, "500");
    AepSinkTask task = started(config, true);
    task.open(List.of(tp));
    task.put(List.of(record("events", 0, 0, json("stalled"))));
    await().atMost(Duration.ofSeconds(10)).until(() -> !aep.requests().isEmpty());

    long start = System.nanoTime();
    task.close(List.of(tp));
    task.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void tooLargeNotJsonAndTombstoneRecordsGoToTheReporterAndAreCommittedPastOnlyOnceStored() {
    AepSimulator aep = simulator(Duration.ZERO);
    AepSinkTask task = started(config(aep, uniqueName()), true);
    task.open(List.of(tp));
    String huge = "{\"id\":\"huge\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}";

    task.put(List.of(record("events", 0, 0, huge), record("events", 0, 1, "not json at all"),
        record("events", 0, 2, null), record("events", 0, 3, json("fine"))));

    assertThat(reportedRecords).extracting(SinkRecord::kafkaOffset).containsExactly(0L, 1L, 2L);
    assertThat(reportedErrors).allSatisfy(e -> assertThat(e.getMessage()).doesNotContain("xxxx", "at all"));
    await().atMost(Duration.ofSeconds(20)).until(() -> committable(task, tp, 4) != null);
    assertThat(committable(task, tp, 4)).isEqualTo(4L);
    assertThat(aep.acceptedCount()).isEqualTo(1);
  }

  @Test
  void recordsAnSmtDroppedAreCommittedPastOnceEverythingPutIsSettledButNeverPastAnUnsettledOne() {
    AepSimulator aep = simulator(Duration.ofMillis(300));
    AepSinkTask task = started(config(aep, uniqueName()), true);
    TopicPartition filtered = new TopicPartition("events", 1);
    task.open(List.of(tp, filtered));

    // Every record of `filtered` was dropped by a Filter SMT: Connect's position moved, put never saw one.
    assertThat(committable(task, filtered, 500)).as("a partition whose records were all filtered").isEqualTo(500L);

    task.put(List.of(record("events", 0, 0, json("a")), record("events", 0, 1, json("b"))));
    // Offsets 2..9 were filtered; 0 and 1 are in flight.
    assertThat(committable(task, tp, 10)).as("0 and 1 are in flight").isNull();
    await().atMost(Duration.ofSeconds(20)).until(() -> committable(task, tp, 10) != null);
    assertThat(committable(task, tp, 10)).isEqualTo(10L);

    task.put(List.of(record("events", 0, 10, json("c"))));
    Long whileInFlight = committable(task, tp, 15);
    assertThat(whileInFlight == null || whileInFlight <= 10).as("committed %s past in-flight 10", whileInFlight)
        .isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(15).equals(committable(task, tp, 15)));
  }

  @Test
  void offsetsThatGoBackwardsAreSentAgainAndNothingPastThemIsCommittedUntilTheySettle() {
    AepSimulator aep = simulator(Duration.ofMillis(200));
    AepSinkTask task = started(config(aep, uniqueName()), true);
    task.open(List.of(tp));
    List<SinkRecord> first = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      first.add(record("events", 0, i, json("first-" + i)));
    }
    task.put(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(5).equals(committable(task, tp, 5)));

    // The consumer moved back to 2 (log truncation after an unclean leader election): 2..4 now hold other records.
    task.put(List.of(record("events", 0, 2, json("second-2")), record("events", 0, 3, json("second-3")),
        record("events", 0, 4, json("second-4"))));
    Long whileInFlight = committable(task, tp, 5);
    assertThat(whileInFlight).as("committed %s past the re-read records in flight", whileInFlight).isIn(null, 2L);
    await().atMost(Duration.ofSeconds(20)).until(() -> Long.valueOf(5).equals(committable(task, tp, 5)));
    assertThat(aep.acceptedCount()).as("the re-read records were sent, not taken for the old ones").isEqualTo(8);
  }
}
