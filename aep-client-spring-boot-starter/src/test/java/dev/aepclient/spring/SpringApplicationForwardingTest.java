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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** A whole Spring Boot application: its Kafka settings, the starter's forwarder, AEP played by the simulator. */
class SpringApplicationForwardingTest {
  private static final int RECORDS = 200;

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

  @Test
  void anApplicationForwardsItsTopicDeadLettersRejectionsAndCommitsOnShutdown() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator aep = AepSimulator.builder().idPointer("/id").start()) {
      kafka.createTopic("orders", 2);
      kafka.createTopic("orders.dlq", 1);
      aep.rejectWhen(m -> m.path("bad").asBoolean(), 400, "bad record");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(
          kafka.producerProperties(StringSerializer.class, StringSerializer.class))) {
        for (int n = 0; n < RECORDS; n++) {
          producer.send(new ProducerRecord<>("orders", String.valueOf(n),
              "{\"id\":\"k" + n + "\",\"bad\":" + (n % 40 == 0) + "}"));
        }
      }

      SpringApplication application = new SpringApplication(App.class);
      application.setWebApplicationType(WebApplicationType.NONE);
      ConfigurableApplicationContext context = application.run(
          "--aep.inlet.url=" + aep.inletUrl(),
          "--aep.linger.ms=5",
          "--aep.kafka.enabled=true",
          "--aep.kafka.topics=orders",
          "--aep.kafka.dead-letter-topic=orders.dlq",
          "--aep.kafka.commit-interval=50ms",
          "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "--spring.kafka.consumer.group-id=spring-app",
          "--spring.kafka.consumer.auto-offset-reset=earliest",
          // the starter must override this: an auto-commit could commit records AEP has not accepted
          "--spring.kafka.consumer.enable-auto-commit=true");
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
                == RECORDS);
        assertThat(aep.acceptedCount()).isEqualTo(RECORDS - 5 + 10);
        assertThat(MAPPED.get()).isEqualTo(RECORDS);
        assertThat(aep.rejectedCount()).isEqualTo(5);
        assertThat(aep.duplicates()).isZero();
        assertThat(registry.get("aep.client.messages").tag("outcome", "delivered").functionCounter().count())
            .isEqualTo(RECORDS - 5 + 10);
        assertThat(context.getBean("aepKafkaHealthIndicator", HealthIndicator.class).health().getStatus())
            .isEqualTo(Status.UP);
        assertThat(context.getBean("aepHealthIndicator", HealthIndicator.class).health().getDetails())
            .containsEntry("rejected", 5L);
        assertThat(readAll(kafka, "orders.dlq", 5)).hasSize(5);
      } finally {
        context.close();
      }

      // Shutdown drained and committed every offset, synchronously, before the client closed.
      try (Admin admin = kafka.admin()) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("spring-app")
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(RECORDS);
      }
    }
  }

  private static List<String> readAll(EmbeddedKafkaBroker kafka, String topic, int expected) {
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
