package dev.aepclient.kafka;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import java.util.Objects;

/**
 * One message a {@link RecordRouter} made from a record, and the client (inlet, flow) it goes to.
 *
 * @param client  the client to send it with; null for the bridge's own client
 * @param message the message
 */
public record RoutedMessage(AepStreamingClient client, AepMessage message) {
  public RoutedMessage {
    Objects.requireNonNull(message, "message");
  }

  /** A message for the bridge's own client. */
  public static RoutedMessage of(AepMessage message) {
    return new RoutedMessage(null, message);
  }

  /** A message for {@code client}. */
  public static RoutedMessage to(AepStreamingClient client, AepMessage message) {
    return new RoutedMessage(Objects.requireNonNull(client, "client"), message);
  }
}
