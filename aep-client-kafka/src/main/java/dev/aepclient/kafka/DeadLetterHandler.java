package dev.aepclient.kafka;

import java.util.concurrent.CompletionStage;

/**
 * Takes the records that will not reach AEP. The record's offset is committed only after the returned stage
 * completes normally; if it completes exceptionally (or this method throws), forwarding stops with that error and
 * the offset stays uncommitted, so nothing is lost. Called on a thread of the bridge
 * ({@code aep-kafka-dead-letters-N}), one letter at a time, never on the client's I/O threads nor the poll thread:
 * a handler that blocks delays only the later letters. {@link KafkaDeadLetterHandler} writes to a dead-letter topic.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
@FunctionalInterface
public interface DeadLetterHandler<K, V> {
  /** Stores or reports the dead letter; the stage completes when it is safe to commit past it. */
  CompletionStage<Void> handle(DeadLetter<K, V> letter);
}
