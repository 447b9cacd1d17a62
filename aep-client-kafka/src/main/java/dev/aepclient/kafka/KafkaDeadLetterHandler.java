package dev.aepclient.kafka;

import static dev.aepclient.internal.util.Preconditions.requireText;

import dev.aepclient.internal.util.RemoteText;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes dead letters to a Kafka topic: key and value as consumed (so the producer's serializers must match the
 * consumer's deserializers; with byte arrays on both sides the bytes are copied unchanged), the record's own
 * headers (a source header whose name starts with {@code aep.dlq.} is kept renamed to {@code original.} + its name,
 * so it can never pass for one of the headers below), plus:
 *
 * <ul>
 *   <li>{@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}: where it came from;
 *   <li>{@value #HTTP_STATUS}: AEP's status for the message, or {@code 0} when it never reached AEP;
 *   <li>{@value #REASON}: AEP's text or the mapping problem, control characters escaped and at most 500
 *       characters;
 *   <li>{@value #RAW_KEY}, {@value #RAW_VALUE}: for a record the consumer could not deserialize, its raw key and value
 *       bytes (the record itself is written with a null key and value).
 * </ul>
 *
 * <p>The offset is committed once the producer has the write acknowledged. The bridge calls this handler on its own
 * dead-letter thread, so a {@code send} that blocks (a missing topic where auto-creation is off blocks for the
 * producer's {@code max.block.ms}) never holds up deliveries; keep {@code max.block.ms} well below the revoke
 * timeout. The producer is not closed by this handler. Thread-safe, as {@link Producer} is.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class KafkaDeadLetterHandler<K, V> implements DeadLetterHandler<K, V> {
  /** Header with the topic the record was consumed from (UTF-8 text). */
  public static final String SOURCE_TOPIC = "aep.dlq.source.topic";
  /** Header with the partition the record was consumed from (UTF-8 decimal). */
  public static final String SOURCE_PARTITION = "aep.dlq.source.partition";
  /** Header with the record's offset in that partition (UTF-8 decimal). */
  public static final String SOURCE_OFFSET = "aep.dlq.source.offset";
  /** Header with AEP's status for the message (UTF-8 decimal), {@code 0} when it never reached AEP. */
  public static final String HTTP_STATUS = "aep.dlq.http.status";
  /** Header with why the record was dead-lettered: AEP's text or the mapping problem (UTF-8 text). */
  public static final String REASON = "aep.dlq.reason";
  public static final String RAW_KEY = "aep.dlq.raw.key";
  public static final String RAW_VALUE = "aep.dlq.raw.value";
  /** The prefix of every header this handler adds; source headers with it are renamed. */
  public static final String PREFIX = "aep.dlq.";
  /** What a source header named {@code aep.dlq.*} is renamed to: this + its name. */
  public static final String RENAMED_PREFIX = "original.";

  private final Producer<K, V> producer;
  private final String topic;

  private KafkaDeadLetterHandler(Producer<K, V> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * A handler writing to {@code topic} with {@code producer}. Use {@code acks=all} on the producer for dead letters
   * that survive a broker failure.
   *
   * @throws IllegalArgumentException if {@code topic} is blank
   */
  public static <K, V> KafkaDeadLetterHandler<K, V> to(Producer<K, V> producer, String topic) {
    Objects.requireNonNull(producer, "producer");
    return new KafkaDeadLetterHandler<>(producer, requireText(topic, "dead-letter topic"));
  }

  @Override
  public CompletionStage<Void> handle(DeadLetter<K, V> letter) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : letter.record().headers()) {
      headers.add(header.key() != null && header.key().startsWith(PREFIX)
          ? new RecordHeader(RENAMED_PREFIX + header.key(), header.value()) : header);
    }
    headers.add(SOURCE_TOPIC, utf8(letter.record().topic()));
    headers.add(SOURCE_PARTITION, utf8(String.valueOf(letter.record().partition())));
    headers.add(SOURCE_OFFSET, utf8(String.valueOf(letter.record().offset())));
    headers.add(HTTP_STATUS, utf8(String.valueOf(letter.statusCode())));
    headers.add(REASON, utf8(RemoteText.sanitize(letter.reason())));
    if (letter.undeserializedKey() != null) {
      headers.add(RAW_KEY, letter.undeserializedKey());
    }
    if (letter.undeserializedValue() != null) {
      headers.add(RAW_VALUE, letter.undeserializedValue());
    }
    CompletableFuture<Void> written = new CompletableFuture<>();
    try {
      var unused = producer.send(
          new ProducerRecord<>(topic, null, letter.record().key(), letter.record().value(), headers),
        (metadata, error) -> {
          if (error == null) {
            written.complete(null);
          } else {
            written.completeExceptionally(error);
          }
        });
    } catch (RuntimeException e) { // send throws for a closed producer, a serializer failure, …
      written.completeExceptionally(e);
    }
    return written;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "KafkaDeadLetterHandler[" + topic + "]";
  }
}
