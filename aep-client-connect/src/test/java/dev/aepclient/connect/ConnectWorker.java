package dev.aepclient.connect;

import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A real Kafka Connect worker inside the test JVM, started the way {@code connect-standalone} and
 * {@code connect-distributed} start one ({@link ConnectStandalone#startConnect}), on an {@link EmbeddedKafkaBroker}.
 * Plugins are found through their ServiceLoader manifests (ours is in src/main/resources/META-INF/services).
 */
final class ConnectWorker implements AutoCloseable {
  static {
    // Connect calls Exit.exit when it cannot start; in a test that must be a failure, not the end of the JVM.
    Exit.setExitProcedure((status, message) -> {
      throw new IllegalStateException("Connect asked to exit(" + status + "): " + message);
    });
  }

  private final Connect<? extends Herder> connect;

  private ConnectWorker(Connect<? extends Herder> connect) {
    this.connect = connect;
  }

  /** A standalone worker; {@code offsetFlushMs} is Connect's own commit interval. */
  static ConnectWorker standalone(EmbeddedKafkaBroker kafka, Path dir, long offsetFlushMs) throws Exception {
    Map<String, String> props = common(kafka, offsetFlushMs);
    props.put("offset.storage.file.filename", Files.createTempFile(dir, "offsets", ".dat").toString());
    return new ConnectWorker(new ConnectStandalone().startConnect(props));
  }

  /** A worker of the distributed cluster {@code groupId} (its storage topics are named after it). */
  static ConnectWorker distributed(EmbeddedKafkaBroker kafka, String groupId, long offsetFlushMs) {
    return distributed(kafka.bootstrapServers(), groupId, offsetFlushMs, Map.of());
  }

  /**
   * A worker of the distributed cluster {@code groupId} on the broker at {@code bootstrapServers} (so a child JVM can
   * start one, see {@link DistributedWorkerChild}); {@code overrides} replace or add worker properties.
   */
  static ConnectWorker distributed(String bootstrapServers, String groupId, long offsetFlushMs,
      Map<String, String> overrides) {
    Map<String, String> props = common(bootstrapServers, offsetFlushMs);
    props.put("group.id", groupId);
    props.put("config.storage.topic", groupId + "-configs");
    props.put("offset.storage.topic", groupId + "-offsets");
    props.put("status.storage.topic", groupId + "-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("offset.storage.partitions", "2");
    props.put("status.storage.partitions", "2");
    // A worker that leaves gets its tasks reassigned after this delay (default 5 min).
    props.put("scheduled.rebalance.max.delay.ms", "1000");
    props.put("heartbeat.interval.ms", "1000");
    props.put("session.timeout.ms", "10000");
    props.putAll(overrides);
    return new ConnectWorker(new ConnectDistributed().startConnect(props));
  }

  private static Map<String, String> common(EmbeddedKafkaBroker kafka, long offsetFlushMs) {
    return common(kafka.bootstrapServers(), offsetFlushMs);
  }

  private static Map<String, String> common(String bootstrapServers, long offsetFlushMs) {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("listeners", "http://127.0.0.1:0");
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("offset.flush.interval.ms", String.valueOf(offsetFlushMs));
    props.put("plugin.discovery", "service_load");
    return props;
  }

  /** The id the worker reports in task statuses: its advertised REST host and port, as ConnectDistributed sets it. */
  String workerId() {
    URI url = connect.rest().advertisedUrl();
    return url.getHost() + ":" + url.getPort();
  }

  Herder herder() {
    return connect.herder();
  }

  void putConnector(String name, Map<String, String> config) throws Exception {
    Map<String, String> named = new HashMap<>(config);
    named.put("name", name); // what the REST layer adds
    FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
    herder().putConnectorConfig(name, named, true, done);
    done.get(30, TimeUnit.SECONDS);
  }

  void deleteConnector(String name) throws Exception {
    FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
    herder().deleteConnectorConfig(name, done);
    done.get(30, TimeUnit.SECONDS);
  }

  ConfigInfos validate(Map<String, String> config) throws Exception {
    FutureCallback<ConfigInfos> done = new FutureCallback<>();
    herder().validateConnectorConfig(config, done);
    return done.get(30, TimeUnit.SECONDS);
  }

  /** The connector's status, or null while the herder does not know it yet. */
  ConnectorStateInfo status(String name) {
    try {
      return herder().connectorStatus(name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Task states, e.g. [RUNNING, RUNNING]; empty while unknown. */
  List<String> taskStates(String name) {
    ConnectorStateInfo status = status(name);
    return status == null ? List.of() : status.tasks().stream().map(ConnectorStateInfo.TaskState::state).toList();
  }

  /** The first failed task's trace, or null. */
  String failedTaskTrace(String name) {
    ConnectorStateInfo status = status(name);
    if (status == null) {
      return null;
    }
    return status.tasks().stream().filter(t -> t.state().equals("FAILED")).map(ConnectorStateInfo.TaskState::trace)
        .findFirst().orElse(null);
  }

  @Override
  public void close() {
    connect.stop();
    connect.awaitStop();
  }

  // ---- Kafka helpers ----

  static void produce(EmbeddedKafkaBroker kafka, String topic, List<ProducerRecord<byte[], byte[]>> records) {
    Properties props = kafka.producerProperties(ByteArraySerializer.class, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (ProducerRecord<byte[], byte[]> record : records) {
        var unused = producer.send(record);
      }
      producer.flush();
    }
  }

  /** The sink's committed offsets (its consumer group is connect-{name}). */
  static Map<TopicPartition, Long> committed(EmbeddedKafkaBroker kafka, String connector) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("connect-" + connector)
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> result = new HashMap<>();
      offsets.forEach((tp, om) -> {
        if (om != null) {
          result.put(tp, om.offset());
        }
      });
      return result;
    }
  }

  static Map<TopicPartition, Long> endOffsets(EmbeddedKafkaBroker kafka, String topic, int partitions)
      throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> result = new HashMap<>();
      admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> result.put(tp, info.offset()));
      return result;
    }
  }

  /** The largest value of a sink-task metric over the connector's tasks, read from the worker's JMX beans. */
  static double sinkTaskMetric(String connector, String attribute) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    double max = Double.NaN;
    for (ObjectName bean : server.queryNames(new ObjectName("kafka.connect:type=sink-task-metrics,*"), null)) {
      if (connector.equals(ObjectName.unquote(quoted(bean.getKeyProperty("connector"))))) {
        double value = ((Number) server.getAttribute(bean, attribute)).doubleValue();
        max = Double.isNaN(max) ? value : Math.max(max, value);
      }
    }
    if (Double.isNaN(max)) {
      throw new AssertionError("no sink-task-metrics bean for connector " + connector);
    }
    return max;
  }

  private static String quoted(String value) {
    return value.startsWith("\"") ? value : ObjectName.quote(value);
  }
}
