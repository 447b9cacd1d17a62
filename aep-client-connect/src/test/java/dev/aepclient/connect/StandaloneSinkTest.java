package dev.aepclient.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.testkit.AcceptedMessage;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink on a real standalone Connect worker, on an in-process broker, sending to an {@link AepSimulator}. One
 * worker for the class; a fresh topic, connector and id prefix per test. Connect's own commit interval is one minute
 * here, so committed offsets seen within seconds come from the task's own commit requests.
 */
class StandaloneSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ORG = "ORG1@AdobeOrg";
  private static EmbeddedKafkaBroker kafka;
  private static AepSimulator aep;
  private static ConnectWorker worker;
  private static Path dir;
  private static Path jwtKey;

  private String name;
  private String topic;
  private String prefix;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    aep = AepSimulator.builder().idPointer("/id").keepMessages(true)
        .inlet("open").authenticatedInlet("secure").oauthCredential("client-1", "the-secret")
        .jwtCredential("jwt-client", "jwt-secret", ORG, "TECH@techacct.adobe.com", keys.getPublic()).start();
    dir = Files.createTempDirectory("connect-standalone");
    jwtKey = Files.write(dir.resolve("private.key"), keys.getPrivate().getEncoded()); // PKCS#8 DER, as Adobe's
    worker = ConnectWorker.standalone(kafka, dir, 60_000);
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (aep != null) {
      aep.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void fresh() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    name = "aep-" + suffix;
    topic = "events-" + suffix;
    prefix = suffix + "-";
    aep.clearFaults();
    aep.clearRejections();
  }

  @AfterEach
  void removeConnector() throws Exception {
    if (worker.status(name) != null) {
      worker.deleteConnector(name);
    }
  }

  private Map<String, String> baseConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", AepSinkConnector.class.getName());
    config.put("topics", topic);
    config.put("tasks.max", "2");
    config.put("aep.inlet.url", aep.inletUrl("open"));
    config.put("aep.linger.ms", "5");
    config.put("aep.retry.backoff.ms", "20");
    config.put("aep.retry.backoff.max.ms", "200");
    return config;
  }

  private Map<String, String> withDeadLetters(Map<String, String> config, String dlq) {
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", dlq);
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    return config;
  }

  private String event(int i, String extra) {
    return "{\"id\":\"" + prefix + i + "\",\"n\":" + i + extra + "}";
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String value) {
    return new ProducerRecord<>(topic, partition, null, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /** Ids with this test's prefix the simulator accepted, with how often. */
  private Map<String, Integer> accepted() {
    return aep.acceptedIds().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private Set<String> ids(IntStream indexes) {
    return indexes.mapToObj(i -> prefix + i).collect(Collectors.toSet());
  }

  private void awaitCommittedToEnd(int partitions) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(ConnectWorker.committed(kafka, name)).isEqualTo(ConnectWorker.endOffsets(kafka, topic, partitions)));
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties(
        "reader-" + UUID.randomUUID(), ByteArrayDeserializer.class, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
    }
    return records;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  void deliversEveryRecordDeadLettersRefusedAndUnmappableOnesWithTheirReasonAndCommitsPastThem() throws Exception {
    kafka.createTopic(topic, 3);
    aep.rejectWhen(node -> node.path("bad").asBoolean(), 400, "field n does not match the schema");
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    int n = 600;
    for (int i = 0; i < n; i++) {
      records.add(record(topic, i % 3, event(i, i % 50 == 7 ? ",\"bad\":true" : "")));
      if (i % 200 == 100) {
        records.add(record(topic, i % 3, "not json at all"));
        records.add(record(topic, i % 3, null));
      }
    }
    ConnectWorker.produce(kafka, topic, records);

    worker.putConnector(name, withDeadLetters(baseConfig(), topic + ".dlq"));

    Set<String> good = ids(IntStream.range(0, n).filter(i -> i % 50 != 7));
    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().keySet().containsAll(good));
    assertThat(accepted().keySet()).isEqualTo(good);

    int refused = n / 50;
    List<ConsumerRecord<byte[], byte[]>> dead = readAll(topic + ".dlq", refused + 6);
    assertThat(dead).hasSize(refused + 6);
    Map<String, String> reasonByValue = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : dead) {
      assertThat(header(record, "__connect.errors.topic")).isEqualTo(topic);
      assertThat(header(record, "__connect.errors.offset")).isNotNull();
      reasonByValue.put(record.value() == null ? "null" : new String(record.value(), StandardCharsets.UTF_8),
          header(record, "__connect.errors.exception.message"));
    }
    assertThat(reasonByValue.get(event(7, ",\"bad\":true"))).contains("400").contains("does not match the schema");
    assertThat(reasonByValue.get("not json at all")).contains("cannot be sent to AEP");
    assertThat(reasonByValue.get("null")).contains("tombstone");

    awaitCommittedToEnd(3);
    assertThat(worker.taskStates(name)).containsOnly("RUNNING");
  }

  @Test
  void withoutDeadLetterQueueARefusedRecordFailsTheTaskAndItsOffsetIsNeverCommitted() throws Exception {
    kafka.createTopic(topic, 1);
    aep.rejectWhen(node -> node.path("refuse").asBoolean(), 400, "unknown dataset");
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      records.add(record(topic, 0, event(i, i == 50 ? ",\"refuse\":true" : "")));
    }
    ConnectWorker.produce(kafka, topic, records);
    Map<String, String> config = baseConfig();
    config.put("tasks.max", "1");
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(30)).until(() -> worker.failedTaskTrace(name) != null);
    assertThat(worker.failedTaskTrace(name)).contains(topic + "-0@50").contains("400").contains("unknown dataset")
        .contains("errors.tolerance=all");
    Long committed = ConnectWorker.committed(kafka, name).get(new TopicPartition(topic, 0));
    assertThat(committed == null ? 0L : committed).isLessThanOrEqualTo(50L);
  }

  @Test
  void toleranceAllWithoutADeadLetterTopicSkipsRefusedRecordsAndKeepsGoing() throws Exception {
    kafka.createTopic(topic, 1);
    aep.rejectWhen(node -> node.path("skipme").asBoolean(), 400, "refused");
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 60).mapToObj(i -> record(topic, 0,
        event(i, i % 20 == 3 ? ",\"skipme\":true" : ""))).toList());
    Map<String, String> config = baseConfig();
    config.put("errors.tolerance", "all");
    worker.putConnector(name, config);

    awaitCommittedToEnd(1);
    assertThat(accepted().keySet()).isEqualTo(ids(IntStream.range(0, 60).filter(i -> i % 20 != 3)));
    assertThat(worker.taskStates(name)).containsOnly("RUNNING");
  }

  @Test
  void anSmtThatRenamesTheTopicStillCommitsTheSourcePartitions() throws Exception {
    kafka.createTopic(topic, 2);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 40).mapToObj(i -> record(topic, i % 2, event(i, "")))
        .toList());
    Map<String, String> config = baseConfig();
    config.put("transforms", "route");
    config.put("transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter");
    config.put("transforms.route.regex", ".*");
    config.put("transforms.route.replacement", "renamed");
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().size() == 40);
    awaitCommittedToEnd(2);
  }

  @Test
  void tombstonesCanBeSkippedByPolicy() throws Exception {
    kafka.createTopic(topic, 1);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 20).mapToObj(i -> record(topic, 0,
        i % 5 == 0 ? null : event(i, ""))).toList());
    Map<String, String> config = baseConfig();
    config.put("aep.sink.tombstones", "skip");
    worker.putConnector(name, config);

    awaitCommittedToEnd(1);
    assertThat(accepted().keySet()).isEqualTo(ids(IntStream.range(0, 20).filter(i -> i % 5 != 0)));
    assertThat(worker.taskStates(name)).containsOnly("RUNNING");
  }

  @Test
  void aDeadLetterTopicWithoutToleranceFailsTheTaskWithTheReason() throws Exception {
    kafka.createTopic(topic, 1);
    ConnectWorker.produce(kafka, topic, List.of(record(topic, 0, event(0, "")), record(topic, 0, "not json")));
    Map<String, String> config = withDeadLetters(baseConfig(), topic + ".dlq");
    config.put("tasks.max", "1");
    config.put("errors.tolerance", "none");
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(30)).until(() -> worker.failedTaskTrace(name) != null);
    assertThat(worker.failedTaskTrace(name)).contains(topic + "-0@1").contains("cannot be sent to AEP");
    Long committed = ConnectWorker.committed(kafka, name).get(new TopicPartition(topic, 0));
    assertThat(committed == null ? 0L : committed).isLessThanOrEqualTo(1L);
  }

  @Test
  void putNeverWaitsForAStalledAepAndTheRecordsArriveOnceItAnswers() throws Exception {
    kafka.createTopic(topic, 2);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 200).mapToObj(i -> record(topic, i % 2,
        event(i, ",\"pad\":\"" + "y".repeat(300) + "\""))).toList());
    // The first requests of both tasks' clients hang for 2 s while their 2 KB buffers (three messages) fill up.
    aep.enqueueFaults(4, Fault.delay(Duration.ofSeconds(2)));
    Map<String, String> config = baseConfig();
    config.put("aep.buffer.max.bytes", "2048");
    config.put("aep.max.request.bytes", "2048");
    config.put("aep.batch.max.bytes", "2048");
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(45)).until(() -> accepted().keySet().equals(ids(IntStream.range(0, 200))));
    awaitCommittedToEnd(2);
    // Connect's own measure of every put() call of this connector's tasks.
    double slowestPutMs = ConnectWorker.sinkTaskMetric(name, "put-batch-max-time-ms");
    System.out.printf("slowest put() while AEP stalled: %.0f ms%n", slowestPutMs);
    assertThat(slowestPutMs).isLessThan(1000.0); // a blocking put would take the 2 s of a hanging request
  }

  @Test
  void validateThroughTheWorkerShowsTheErrorOnTheKey() throws Exception {
    Map<String, String> config = baseConfig();
    config.put("name", name);
    config.put("aep.auth.type", "oauth");
    config.put("aep.auth.client.id", "client-1");
    ConfigInfos result = worker.validate(config);
    List<String> withErrors = result.values().stream()
        .filter(v -> v.configValue() != null && !v.configValue().errors().isEmpty())
        .map(ConfigInfo::configValue).map(v -> v.name()).toList();
    assertThat(withErrors).containsExactly("aep.auth.client.secret");
    assertThat(result.errorCount()).isEqualTo(1);
  }

  @Test
  void adobeConnectorConfigWithAuthDisabledStartsUnchangedAndDelivers() throws Exception {
    kafka.createTopic(topic, 2);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 200).mapToObj(i -> record(topic, i % 2, event(i, "")))
        .toList());
    Map<String, String> adobe = adobeFile(aep.inletUrl("open"));
    adobe.put("aep.connection.auth.enabled", "false");
    worker.putConnector(name, adobe);

    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().keySet().equals(ids(IntStream.range(0, 200))));
    awaitCommittedToEnd(2);
  }

  @Test
  void adobeConnectorOAuthConfigStartsUnchangedAndDeliversWithATokenFromIms() throws Exception {
    kafka.createTopic(topic, 1);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 50).mapToObj(i -> record(topic, 0, event(i, ""))).toList());
    long tokensBefore = aep.tokensIssued();
    Map<String, String> adobe = adobeFile(aep.inletUrl("secure"));
    adobe.put("aep.connection.auth.enabled", "true");
    adobe.put("aep.connection.auth.token.type", "oauth2_access_token");
    adobe.put("aep.connection.auth.client.id", "client-1");
    adobe.put("aep.connection.auth.client.secret", "the-secret");
    adobe.put("aep.connection.auth.imsOrg", ORG);
    adobe.put("aep.connection.auth.endpoint", aep.imsUrl());
    worker.putConnector(name, adobe);

    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().keySet().equals(ids(IntStream.range(0, 50))));
    assertThat(aep.tokensIssued()).isGreaterThan(tokensBefore);
    awaitCommittedToEnd(1);
  }

  @Test
  void adobeConnectorJwtConfigStartsUnchangedAndDeliversWithATokenFromIms() throws Exception {
    kafka.createTopic(topic, 1);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 30).mapToObj(i -> record(topic, 0, event(i, ""))).toList());
    Map<String, String> adobe = adobeFile(aep.inletUrl("secure"));
    adobe.put("aep.connection.auth.enabled", "true");
    adobe.put("aep.connection.auth.token.type", "jwt_token");
    adobe.put("aep.connection.auth.client.id", "jwt-client");
    adobe.put("aep.connection.auth.client.secret", "jwt-secret");
    adobe.put("aep.connection.auth.imsOrg", ORG);
    adobe.put("aep.connection.auth.accountKey", "TECH@techacct.adobe.com");
    adobe.put("aep.connection.auth.filePath", jwtKey.toString());
    adobe.put("aep.connection.auth.endpoint", aep.imsUrl());
    worker.putConnector(name, adobe);

    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().keySet().equals(ids(IntStream.range(0, 30))));
    awaitCommittedToEnd(1);
  }

  /** A connector file as written for Adobe's connector; only connector.class differs. */
  private Map<String, String> adobeFile(String endpoint) {
    Map<String, String> adobe = new HashMap<>();
    adobe.put("connector.class", AepSinkConnector.class.getName());
    adobe.put("topics", topic);
    adobe.put("tasks.max", "1");
    adobe.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    adobe.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    adobe.put("value.converter.schemas.enable", "false");
    adobe.put("aep.endpoint", endpoint);
    adobe.put("aep.flush.interval.seconds", "1");
    adobe.put("aep.flush.bytes.kb", "4");
    adobe.put("aep.connection.maxRetries", "3");
    adobe.put("aep.connection.retryBackoff", "300");
    adobe.put("aep.connection.timeout", "5000");
    adobe.put("aep.connection.readTimeout", "60000");
    return adobe;
  }

  @Test
  void authenticationFailureFailsTheTaskWithTheReason() throws Exception {
    kafka.createTopic(topic, 1);
    ConnectWorker.produce(kafka, topic, List.of(record(topic, 0, event(0, ""))));
    Map<String, String> config = baseConfig();
    config.put("tasks.max", "1");
    config.put("aep.inlet.url", aep.inletUrl("secure"));
    config.put("aep.auth.type", "oauth");
    config.put("aep.auth.client.id", "client-1");
    config.put("aep.auth.client.secret", "a-wrong-secret");
    config.put("aep.org.id", ORG);
    config.put("aep.ims.url", aep.imsUrl());
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(30)).until(() -> worker.failedTaskTrace(name) != null);
    assertThat(worker.failedTaskTrace(name)).contains("AEP authentication failed").doesNotContain("a-wrong-secret");
    assertThat(ConnectWorker.committed(kafka, name)).isEmpty();
  }

  @Test
  void anAepOutageLongerThanTheDeliveryTimeoutKeepsTheTaskUpAndEverythingArrives() throws Exception {
    kafka.createTopic(topic, 2);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 100).mapToObj(i -> record(topic, i % 2, event(i, "")))
        .toList());
    // 40 answers of 503, 50-100 ms apart per request: seconds of outage against a 1 s delivery timeout.
    aep.enqueueFaults(40, Fault.status(503));
    Map<String, String> config = baseConfig();
    config.put("aep.delivery.timeout.ms", "1000");
    config.put("aep.retry.backoff.ms", "50");
    config.put("aep.retry.backoff.max.ms", "100");
    AtomicBoolean everFailed = new AtomicBoolean();
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(45)).until(() -> {
      everFailed.compareAndSet(false, worker.taskStates(name).contains("FAILED"));
      return accepted().keySet().equals(ids(IntStream.range(0, 100)));
    });
    assertThat(everFailed).isFalse();
    assertThat(aep.requestsByStatus().getOrDefault(503, 0L)).isGreaterThanOrEqualTo(40L);
    awaitCommittedToEnd(2);
    assertThat(worker.taskStates(name)).containsOnly("RUNNING");
  }

  @Test
  void aFullBufferPausesPartitionsInsteadOfBlockingAndEverythingArrives() throws Exception {
    kafka.createTopic(topic, 2);
    String padding = ",\"pad\":\"" + "x".repeat(400) + "\"";
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 300).mapToObj(i -> record(topic, i % 2,
        event(i, padding))).toList());
    aep.enqueueFaults(20, Fault.delay(Duration.ofMillis(50)));
    Map<String, String> config = baseConfig();
    // About three messages fit: most puts find the buffer full.
    config.put("aep.buffer.max.bytes", "2048");
    config.put("aep.max.request.bytes", "2048");
    config.put("aep.batch.max.bytes", "2048");
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(45)).until(() -> accepted().keySet().equals(ids(IntStream.range(0, 300))));
    awaitCommittedToEnd(2);
    assertThat(worker.taskStates(name)).containsOnly("RUNNING");
  }

  @Test
  void structsFromJsonConverterWithSchemasAndAnSmtBecomeJsonObjects() throws Exception {
    kafka.createTopic(topic, 1);
    String schema = "{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"string\"},"
        + "{\"field\":\"n\",\"type\":\"int32\"},{\"field\":\"at\",\"type\":\"int64\","
        + "\"name\":\"org.apache.kafka.connect.data.Timestamp\"},{\"field\":\"tags\",\"type\":\"array\","
        + "\"items\":{\"type\":\"string\"}}]}";
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 10).mapToObj(i -> record(topic, 0, "{\"schema\":" + schema
        + ",\"payload\":{\"id\":\"" + prefix + i + "\",\"n\":" + i + ",\"at\":0,\"tags\":[\"a\",\"b\"]}}")).toList());
    Map<String, String> config = baseConfig();
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "true");
    config.put("transforms", "source");
    config.put("transforms.source.type", "org.apache.kafka.connect.transforms.InsertField$Value");
    config.put("transforms.source.static.field", "source");
    config.put("transforms.source.static.value", "kafka-connect");
    worker.putConnector(name, config);

    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().size() == 10);
    JsonNode first = message(prefix + "3");
    assertThat(first.path("n").asInt()).isEqualTo(3);
    assertThat(first.path("at").asText()).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(first.path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(first.path("source").asText()).isEqualTo("kafka-connect");
  }

  @Test
  void schemalessJsonAndRawBytesArriveAsTheSameObjects() throws Exception {
    kafka.createTopic(topic, 1);
    ConnectWorker.produce(kafka, topic, IntStream.range(0, 10).mapToObj(i -> record(topic, 0,
        event(i, ",\"nested\":{\"k\":[1,2,{\"z\":null}]},\"price\":12.50")))
        .toList());
    Map<String, String> schemaless = baseConfig();
    schemaless.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    schemaless.put("value.converter.schemas.enable", "false");
    worker.putConnector(name, schemaless);
    await().atMost(Duration.ofSeconds(30)).until(() -> accepted().size() == 10);
    assertThat(message(prefix + "4")).isEqualTo(JSON.readTree(event(4,
        ",\"nested\":{\"k\":[1,2,{\"z\":null}]},\"price\":12.50")));
    worker.deleteConnector(name);

    String bytesName = name + "-bytes";
    Map<String, String> bytes = baseConfig();
    bytes.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.putConnector(bytesName, bytes);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> accepted().values().stream().allMatch(c -> c == 2)
          && accepted().size() == 10);
    } finally {
      worker.deleteConnector(bytesName);
    }
  }

  private JsonNode message(String id) throws Exception {
    for (AcceptedMessage m : aep.acceptedMessages()) {
      if (id.equals(m.id())) {
        return JSON.readTree(m.json());
      }
    }
    throw new AssertionError("no accepted message with id " + id);
  }
}
