package dev.aepclient.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.KafkaDeadLetterHandler;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class AepKafkaMetricsBinderTest {

  @Test
  void forwarderCountersMatchTheSimulatorAndLagDrainsToZero() throws Exception {
    int records = 300;
    MeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator aep = AepSimulator.builder().idPointer("/id").start();
        KafkaProducer<String, String> producer = new KafkaProducer<>(
            kafka.producerProperties(StringSerializer.class, StringSerializer.class));
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl())
            .linger(Duration.ofMillis(5)).build()) {
      kafka.createTopic("events", 2);
      aep.rejectWhen(m -> m.path("bad").asBoolean(), 400, "bad record");
      for (int n = 0; n < records; n++) {
        var unused = producer.send(new ProducerRecord<>("events", String.valueOf(n),
            "{\"id\":\"" + n + "\",\"bad\":" + (n % 30 == 0) + "}"));
      }
      producer.flush();

      KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
          kafka.consumerProperties("metrics-test", StringDeserializer.class, StringDeserializer.class));
      try (AepKafkaForwarder<String, String> forwarder = AepKafkaForwarder.builder(consumer, client)
          .topics("events").deadLetterHandler(KafkaDeadLetterHandler.to(producer, "events.dlq"))
          .commitInterval(Duration.ofMillis(50)).build()) {
        AepKafkaMetricsBinder.of(forwarder, Tags.of("forwarder", "events")).bindTo(registry);
        new AepClientMetricsBinder(client).bindTo(registry);
        forwarder.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> count(registry, "aep.kafka.records", "outcome",
            "delivered") + count(registry, "aep.kafka.records", "outcome", "dead_lettered") == records);
        assertThat(count(registry, "aep.kafka.records", "outcome", "delivered")).isEqualTo(aep.acceptedCount())
            .isEqualTo(290L);
        assertThat(count(registry, "aep.kafka.records", "outcome", "dead_lettered")).isEqualTo(aep.rejectedCount())
            .isEqualTo(10L);
        assertThat(count(registry, "aep.kafka.records.polled", "forwarder", "events")).isEqualTo(records);
        assertThat(count(registry, "aep.client.messages", "outcome", "delivered")).isEqualTo(290L);
        assertThat(registry.get("aep.kafka.records.held").gauge().value()).isZero();
        assertThat(registry.get("aep.kafka.partitions.paused").gauge().value()).isZero();
        // Lag is measured at poll time: once everything was read, a later poll reports 0.
        await().atMost(Duration.ofSeconds(10))
            .until(() -> !forwarder.metrics().lag().isEmpty()
                && registry.get("aep.kafka.consumer.lag").gauge().value() == 0.0);
      }
    }
  }

  private static long count(MeterRegistry registry, String name, String... tags) {
    return (long) registry.get(name).tags(tags).functionCounter().count();
  }
}
