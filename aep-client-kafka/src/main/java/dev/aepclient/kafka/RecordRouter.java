package dev.aepclient.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one record into zero or more messages, each for a chosen client (several inlets or flows from one
 * consumer). An empty list filters the record out: it settles at once and its offset is committed. The record
 * settles when every message has its outcome; if AEP rejects any of them, the record goes to the dead-letter
 * handler once (the others stay delivered). Called on the poll thread: keep it quick.
 *
 * <p>Throw {@link IllegalArgumentException} when the record cannot be mapped (bad data): it goes to the dead-letter
 * handler. Any other exception is taken for a bug in the router and stops forwarding without committing the record.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
@FunctionalInterface
public interface RecordRouter<K, V> {
  /**
   * The AEP messages for {@code record}, each with its inlet.
   *
   * @throws IllegalArgumentException when the record cannot become AEP messages; the message is the reason
   */
  List<RoutedMessage> route(ConsumerRecord<K, V> record);
}
