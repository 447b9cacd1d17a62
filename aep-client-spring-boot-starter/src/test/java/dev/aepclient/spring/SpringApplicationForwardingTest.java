package dev.aepclient.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.RecordMapper;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** A whole Spring Boot application: its Kafka settings, the starter's forwarder, AEP played by the simulator. */
class SpringApplicationForwardingTest {
  private static EmbeddedKafkaBroker kafka;
  private static AepSimulator aep;

  /** How many records the application's own mapper saw. */
  private static final AtomicInteger MAPPED = new AtomicInteger();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    /** The application's own mapper replaces the default one. */
    @Bean
    RecordMapper<String, String> countingMapper() {
      return record -> {
        MAPPED.incrementAndGet();
        return AepMessage.of(record.value());
      };
    }
  }

  @BeforeAll
  static void startInfrastructure() {
    kafka = EmbeddedKafkaBroker.start();
    aep = AepSimulator.builder().idPointer("/id").start();
    aep.rejectWhen(m -> m.path("bad").asBoolean(), 400, "bad record");
  }

  @AfterAll
  static void stopInfrastructure() {
    if (aep != null) {
      aep.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void reset() {
    aep.resetRecords();
    MAPPED.set(0);
  }

  @Test
  void anApplicationForwardsItsTopicDeadLettersRejectionsAndCommitsOnShutdown() throws Exception {
    int records = 200;
    produce("orders", 2, records, n -> n % 40 == 0);
    kafka.createTopic("orders.dlq", 1);

    ConfigurableApplicationContext context = start("orders", "spring-app", "--aep.kafka.dead-letter-topic=orders.dlq");
    try {
      // The application's own code sends through the same client bean.
      AepStreamingClient client = context.getBean(AepStreamingClient.class);
      List<CompletableFuture<?>> own = new ArrayList<>();
      for (int n = 0; n < 10; n++) {
        own.add(client.send(AepMessage.of("{\"id\":\"own" + n + "\"}")));
      }
      CompletableFuture.allOf(own.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

      MeterRegistry registry = context.getBean(MeterRegistry.class);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          registry.get("aep.kafka.records").tag("outcome", "delivered").functionCounter().count()
              + registry.get("aep.kafka.records").tag("outcome", "dead_lettered").functionCounter().count()
              == records);
      assertThat(aep.acceptedCount()).isEqualTo(records - 5 + 10);
      assertThat(aep.rejectedCount()).isEqualTo(5);
      assertThat(aep.duplicates()).isZero();
      assertThat(MAPPED.get()).isEqualTo(records);
      assertThat(registry.get("aep.client.messages").tag("outcome", "delivered").functionCounter().count())
          .isEqualTo(records - 5 + 10);
      assertThat(context.getBean("aepKafkaHealthIndicator", HealthIndicator.class).health().getStatus())
          .isEqualTo(Status.UP);
      assertThat(context.getBean("aepHealthIndicator", HealthIndicator.class).health().getDetails())
          .containsEntry("rejected", 5L);
      assertThat(readAll("orders.dlq", 5)).hasSize(5);
    } finally {
      context.close();
    }
    // Shutdown drained and committed every offset, synchronously, before the client closed.
    assertThat(committed("spring-app")).isEqualTo(records);
  }

  @Test
  void aRejectionWithoutADeadLetterTopicStopsForwardingReportsDownAndKeepsItsOffset() throws Exception {
    produce("strict", 1, 20, n -> n == 10);

    ConfigurableApplicationContext context = start("strict", "strict-app");
    try {
      HealthIndicator indicator = context.getBean("aepKafkaHealthIndicator", HealthIndicator.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> indicator.health().getStatus().equals(Status.DOWN));
      Health health = indicator.health();
      assertThat(health.getDetails()).containsKey("error");
      // The loop ends after its final commit of what was safe, a moment after the failure is known.
      AepKafkaForwarderLifecycle lifecycle = context.getBean(AepKafkaForwarderLifecycle.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> !lifecycle.isRunning());
      assertThat(context.getBean("aepHealthIndicator", HealthIndicator.class).health().getStatus())
          .isEqualTo(Status.UP);
    } finally {
      context.close();
    }
    // Nothing at or after the rejected record was committed: a restart reads it again.
    assertThat(committed("strict-app")).isEqualTo(10);
  }

  private static ConfigurableApplicationContext start(String topic, String group, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "--aep.inlet.url=" + aep.inletUrl(),
        "--aep.linger.ms=5",
        "--aep.kafka.enabled=true",
        "--aep.kafka.topics=" + topic,
        "--aep.kafka.commit-interval=50ms",
        "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "--spring.kafka.consumer.group-id=" + group,
        "--spring.kafka.consumer.auto-offset-reset=earliest",
        // the starter must override this: an auto-commit could commit records AEP has not accepted
        "--spring.kafka.consumer.enable-auto-commit=true"));
    args.addAll(List.of(more));
    SpringApplication application = new SpringApplication(App.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    return application.run(args.toArray(String[]::new));
  }

  private static void produce(String topic, int partitions, int records, IntPredicate bad) {
    kafka.createTopic(topic, partitions);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        kafka.producerProperties(StringSerializer.class, StringSerializer.class))) {
      for (int n = 0; n < records; n++) {
        var unused = producer.send(new ProducerRecord<>(topic, String.valueOf(n),
            "{\"id\":\"" + topic + n + "\",\"bad\":" + bad.test(n) + "}"));
      }
    }
  }

  private static long committed(String group) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
  }

  private static List<String> readAll(String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        kafka.consumerProperties("dlq-reader", StringDeserializer.class, StringDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
        return values.size() >= expected;
      });
    }
    return values;
  }
}
