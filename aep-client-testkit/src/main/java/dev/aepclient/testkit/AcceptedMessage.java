package dev.aepclient.testkit;

import java.nio.charset.StandardCharsets;

/**
 * A message the simulator accepted, as it arrived.
 *
 * @param id         the value at the simulator's id pointer ({@link AepSimulator.Builder#idPointer(String)}), or
 *                   null when the message has none
 * @param bytes      the message's UTF-8 bytes exactly as they were in the request (do not modify)
 * @param xactionId  the receipt the simulator answered with
 */
@SuppressWarnings("ArrayRecordComponent") // the bytes as received, for inspection; never compared
public record AcceptedMessage(String id, byte[] bytes, String xactionId) {
  /** The message as JSON text. */
  public String json() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "AcceptedMessage[id=" + id + ", " + bytes.length + " bytes, xactionId=" + xactionId + "]";
  }
}
