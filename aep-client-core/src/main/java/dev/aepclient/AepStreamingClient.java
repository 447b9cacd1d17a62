package dev.aepclient;

import dev.aepclient.internal.config.PropertiesConfig;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * Streams JSON messages to an Adobe Experience Platform streaming inlet: in batches, authenticated, retried, with
 * bounded memory, and with an outcome for every message.
 *
 * <pre>{@code
 * AepStreamingClient client = AepStreamingClient.builder()
 *     .inletUrl("https://dcs.adobedc.net/collection/{INLET_ID}")
 *     .auth(AepAuth.oauth(clientId, clientSecret, orgId))
 *     .build();
 * client.send(AepMessage.of(json)).whenComplete((delivery, error) -> ...);
 * client.close();
 * }</pre>
 *
 * <p>Every future returned by {@link #send(AepMessage)} completes exactly once: with a {@link Delivery}; or
 * exceptionally with {@link AepRejectedException} (AEP refused that message) or {@link AepDeliveryException} (the
 * client gave up: delivery timeout, authentication, buffer full, closed). Nothing is dropped silently, including at
 * {@link #close()}. Futures complete on the client's I/O threads: chain quick work only, or use the
 * {@code *Async} variants with an executor of your own.
 *
 * <p>Thread-safe: any number of threads may call {@code send}, {@code flush} and {@code metrics} at once.
 */
public interface AepStreamingClient extends AutoCloseable {

  /** A builder with the defaults listed on {@link AepStreamingClientBuilder}. */
  static AepStreamingClientBuilder builder() {
    return new AepStreamingClientBuilder();
  }

  /**
   * Builds a client from properties: this library's keys ({@code aep.inlet.url}, {@code aep.auth.client.id}, … as
   * listed in the README) or the Adobe Kafka Connect sink connector's keys ({@code aep.endpoint},
   * {@code aep.connection.auth.*}, {@code aep.flush.*}, …), so a connector configuration can be reused unchanged.
   *
   * @throws IllegalArgumentException naming the key and the fix when a value is missing, unknown or out of range
   */
  static AepStreamingClient fromProperties(Properties properties) {
    return PropertiesConfig.builderFrom(properties).build();
  }

  /**
   * Builds a client from environment variables: each key in upper case with {@code _} for {@code .}
   * ({@code AEP_INLET_URL}, {@code AEP_AUTH_CLIENT_ID}, …), and the short names {@code AEP_CLIENT_ID},
   * {@code AEP_CLIENT_SECRET}, {@code AEP_ORG_ID}, {@code AEP_SCOPES}.
   *
   * @throws IllegalArgumentException as {@link #fromProperties(Properties)}
   */
  static AepStreamingClient fromEnvironment() {
    return PropertiesConfig.builderFrom(PropertiesConfig.fromEnvironment(System.getenv())).build();
  }

  /**
   * Checks the message against the request size limit, takes space for it in the buffer (waiting under
   * {@link BufferFullPolicy#BLOCK}) and queues it for the next batch.
   *
   * @return the message's outcome; failed with {@link AepBufferFullException} when no space could be had, and with
   *     {@link AepDeliveryException} ({@code CLOSED}) after {@link #close()}
   * @throws IllegalArgumentException if {@code message} is null or too large for one request; nothing is queued
   */
  CompletableFuture<Delivery> send(AepMessage message);

  /**
   * As {@link #send(AepMessage)}, but never waits for buffer space, whatever the {@link BufferFullPolicy}: when the
   * byte budget cannot take the message now, nothing is queued, nothing is counted, and the result is empty, so the
   * caller can hold the message and try again later (the Kafka adapter pauses partitions this way instead of
   * blocking its poll thread).
   *
   * @return the message's outcome, or empty when the buffer is full; after {@link #close()} a future failed with
   *     {@link AepDeliveryException} ({@code CLOSED})
   * @throws IllegalArgumentException if {@code message} is null or too large for one request; nothing is queued
   */
  java.util.Optional<CompletableFuture<Delivery>> trySend(AepMessage message);

  /**
   * Sends what is buffered now without waiting for {@code linger}, and returns when every message sent before this
   * call is settled (at most about the delivery timeout).
   *
   * @throws AepException if interrupted while waiting (the interrupt flag is set again)
   */
  void flush();

  /**
   * As {@link #flush()}, waiting at most {@code timeout}.
   *
   * @return true when everything sent before the call is settled, false when the timeout passed first
   * @throws AepException if interrupted while waiting (the interrupt flag is set again)
   */
  boolean flush(Duration timeout);

  /** A snapshot of the client's counters. Cheap; safe to poll. */
  AepClientMetrics metrics();

  /**
   * Closes within the delivery timeout plus the request timeout; see {@link #close(Duration)}.
   */
  @Override
  void close();

  /**
   * Refuses new messages, delivers what is buffered for up to {@code timeout}, then fails whatever is still unsettled
   * with {@link AepDeliveryException} ({@code CLOSED}), cancels requests in flight and stops the client's threads.
   * Idempotent; a second call returns at once.
   */
  void close(Duration timeout);
}
