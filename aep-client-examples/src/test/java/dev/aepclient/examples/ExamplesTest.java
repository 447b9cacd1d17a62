package dev.aepclient.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepAuth;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.examples.demo.Demo;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example runs, against the simulator and an in-process broker, so none of them rots. */
class ExamplesTest {
  private static AepSimulator aep;
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void start() {
    aep = AepSimulator.builder().idPointer("/id").authenticatedInlet("inlet-1").oauthCredential("cid", "secret")
        .inlet("open").start();
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stop() {
    aep.close();
    kafka.close();
  }

  @Test
  void sendAFewEvents() {
    var receipts = SendAFewEvents.run(aep.inletUrl(), aep.imsUrl(), AepAuth.oauth("cid", "secret", "ORG@AdobeOrg"));
    assertThat(receipts).hasSize(3).allSatisfy(d -> assertThat(d.xactionId()).isNotEmpty());
  }

  @Test
  void fireAndForgetWithListener() {
    assertThat(FireAndForgetWithListener.run(aep.inletUrl("open"), 1_000))
        .isEqualTo(new FireAndForgetWithListener.Counts(1_000, 0, 0));
  }

  @Test
  void migrateFromConnectorProperties(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("aep-sink.properties"), String.join("\n",
        "connector.class=com.adobe.platform.streaming.sink.impl.AEPSinkConnector",
        "topics=events",
        "aep.endpoint=" + aep.inletUrl(),
        "aep.connection.auth.enabled=true",
        "aep.connection.auth.token.type=oauth2_access_token",
        "aep.connection.auth.client.id=cid",
        "aep.connection.auth.client.secret=secret",
        "aep.connection.auth.imsOrg=ORG@AdobeOrg",
        "aep.connection.auth.endpoint=" + aep.imsUrl(),
        "aep.flush.interval.seconds=1",
        "aep.flush.bytes.kb=4"));
    try (AepStreamingClient client = MigrateFromConnectorProperties.clientFrom(file)) {
      client.send(dev.aepclient.AepMessage.of("{\"id\":\"migrated\"}")).get(10, TimeUnit.SECONDS);
    }
    assertThat(aep.timesAccepted("migrated")).isEqualTo(1);
  }

  private static Properties consumerProps(String group) {
    Properties props = MskConsumerSettings.iam(kafka.bootstrapServers(), group);
    // Plain loopback broker here: keep the example's settings but drop its MSK security.
    props.remove("security.protocol");
    props.remove("sasl.mechanism");
    props.remove("sasl.jaas.config");
    props.remove("sasl.client.callback.handler.class");
    return props;
  }

  private static Properties producerProps() {
    return kafka.producerProperties(StringSerializer.class, StringSerializer.class);
  }

  private static void produce(String topic, String prefix, int count) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
      for (int i = 0; i < count; i++) {
        var unused = producer.send(new ProducerRecord<>(topic, "{\"id\":\"" + prefix + i + "\"}"));
      }
    }
  }

  private static void awaitAccepted(String prefix, int count) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
        aep.acceptedIds().keySet().stream().filter(id -> id.startsWith(prefix)).count() == count);
  }

  @Test
  void forwarderInTenLines() throws Exception {
    kafka.createTopic("events", 2);
    produce("events", "ten-", 500);
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl("open")).build()) {
      AepKafkaForwarder<String, String> forwarder = ForwarderInTenLines.start(consumerProps("ten-lines"),
          producerProps(), client);
      awaitAccepted("ten-", 500);
      forwarder.close();
      assertThat(forwarder.failure()).isEmpty();
    }
  }

  @Test
  void wrapAnExistingConsumerLoop() throws Exception {
    kafka.createTopic("orders", 2);
    produce("orders", "loop-", 300);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread loop = new Thread(() -> {
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps("loop"));
          KafkaProducer<String, String> dlq = new KafkaProducer<>(producerProps())) {
        WrapAnExistingConsumerLoop.run(consumer, dlq, "orders", aep.inletUrl("open"), running::get);
      }
    });
    loop.start();
    awaitAccepted("loop-", 300);
    running.set(false);
    loop.join(Duration.ofSeconds(60).toMillis());
    assertThat(loop.isAlive()).isFalse();
  }

  @Test
  void mskSettingsAreWellFormed() {
    Properties iam = MskConsumerSettings.iam("b-1.msk.example.com:9098", "g");
    assertThat(iam).containsEntry("sasl.mechanism", "AWS_MSK_IAM").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("enable.auto.commit", "false");
    Properties scram = MskConsumerSettings.scram("b-1.msk.example.com:9096", "g", "user", "pw");
    assertThat(scram.getProperty("sasl.jaas.config")).contains("ScramLoginModule").contains("username=\"user\"");
  }

  @Test
  void demoRunsAndAccountsForEveryRecord() {
    // An explicit empty environment: KAFKA_* or AEP_* exported on the machine running the tests change nothing.
    assertThat(Demo.run(Map.of(), System.out, System.err, "--records", "20000", "--partitions", "3")).isZero();
  }
}
