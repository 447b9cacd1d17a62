package dev.aepclient.examples;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaBridge;
import dev.aepclient.kafka.KafkaDeadLetterHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Keep the consumer loop you have, add AEP with {@link AepKafkaBridge}: forward what you poll, commit what is safe.
 * The consumer needs {@code enable.auto.commit=false}.
 */
public final class WrapAnExistingConsumerLoop {
  private WrapAnExistingConsumerLoop() {}

  public static void run(KafkaConsumer<String, String> consumer, KafkaProducer<String, String> dlqProducer,
      String topic, String inletUrl, BooleanSupplier running) {
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(inletUrl).build()) {
      AepKafkaBridge<String, String> bridge = AepKafkaBridge.builder(consumer, client)
          .deadLetterHandler(KafkaDeadLetterHandler.to(dlqProducer, topic + ".dlq"))
          .build();
      consumer.subscribe(List.of(topic), bridge.rebalanceListener());
      while (running.getAsBoolean()) {
        var records = consumer.poll(Duration.ofMillis(100));
        // ... whatever your loop already does with the records ...
        bridge.forward(records);   // never blocks on AEP: pauses partitions when the buffer is full
        bridge.commitReady();      // commits offsets whose records (and all before) are settled
      }
      bridge.awaitInFlight(Duration.ofSeconds(30));
      bridge.commitReadySync(Duration.ofSeconds(10));
    }
  }
}
