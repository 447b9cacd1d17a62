package dev.aepclient.examples;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.KafkaDeadLetterHandler;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/** A topic to AEP, at least once, in ten lines. The client is yours to close after the forwarder. */
public final class ForwarderInTenLines {
  private ForwarderInTenLines() {}

  /** {@code consumerProps}: yours (bootstrap, security, group.id, deserializers, enable.auto.commit=false). */
  public static AepKafkaForwarder<String, String> start(Properties consumerProps, Properties producerProps,
      AepStreamingClient client) {
    return AepKafkaForwarder.builder(new KafkaConsumer<String, String>(consumerProps), client)
        .topics("events")
        .deadLetterHandler(KafkaDeadLetterHandler.to(new KafkaProducer<String, String>(producerProps), "events.dlq"))
        .build()
        .start(); // forwarder.close() stops it: drains, commits, closes the consumer
  }
}
