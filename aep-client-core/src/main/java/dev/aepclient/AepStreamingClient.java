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
 * {@link #close()}.
 *
 * <h2>Delivery timeout: an upper bound</h2>
 * Every future completes no later than {@code deliveryTimeout} after {@code send} returned, plus scheduling slack
 * (milliseconds), whatever AEP does: linger, waiting for a request slot, back-off, {@code Retry-After} and shared
 * 429 pauses, token fetches (even one that never returns) and requests in flight all count against it. The
 * client never waits for something that would end after the deadline: a retry that could only start later, or a
 * pause AEP asks for that reaches past it, fails the message at once with {@code DELIVERY_TIMEOUT}; an attempt's
 * timeout is cut to the time left. The builder therefore refuses a {@code deliveryTimeout} shorter than
 * {@code linger + requestTimeout}. A message that timed out while its request was in flight may still have
 * reached AEP. {@code Retry-After} can only lengthen a wait, never make the client retry faster than its back-off.
 *
 * <h2>Callback threads</h2>
 * Futures complete, and the {@link DeliveryListener} is called, on the client's own threads
 * ({@code aep-client-{name}-io-N}, {@code -scheduler}, {@code -auth}); outcomes decided at {@code send} (buffer
 * full, closed) or at {@code close} (unsettled, {@code CLOSED}) complete on the calling thread, as do those of a
 * batch that {@code send}, {@code flush} or {@code close} finds expired or closed when it dispatches it. Chain quick
 * work only, or use the {@code *Async} variants with an executor of your own. On the client's own threads, and in
 * callbacks that {@code send}, {@code flush} or {@code close} run on the calling thread:
 * <ul>
 *   <li>{@link #flush()}, {@link #flush(Duration)}, {@link #close()} and {@link #close(Duration)} throw
 *       {@link IllegalStateException} at once (as Kafka's producer refuses to close from its I/O thread): they
 *       would wait for answers that the very thread must process. Call them from another thread;</li>
 *   <li>{@code send} never waits for buffer space, whatever the {@link BufferFullPolicy}: a full buffer fails the
 *       message at once with {@link AepBufferFullException}; {@code trySend} works as anywhere.</li>
 * </ul>
 * A callback or listener that throws (an {@link Error} included) changes no outcome and leaves no future pending.
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
   * @return the message's outcome; failed with {@link AepBufferFullException} when no space could be had (also
   *     when the thread was interrupted while waiting for it: the exception says so and the thread's interrupt
   *     status is set again), and with {@link AepDeliveryException} ({@code CLOSED}) after {@link #close()}
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
   * call is settled (at most about the delivery timeout), or when {@link #close(Duration)} gave up on them.
   *
   * @throws AepException if interrupted while waiting (the interrupt flag is set again)
   * @throws IllegalStateException if called on one of the client's own threads (a callback)
   */
  void flush();

  /**
   * As {@link #flush()}, waiting at most {@code timeout}.
   *
   * @return true when everything sent before the call is settled, false when the timeout passed first
   * @throws NullPointerException if {@code timeout} is null
   * @throws AepException if interrupted while waiting (the interrupt flag is set again)
   * @throws IllegalStateException if called on one of the client's own threads (a callback)
   */
  boolean flush(Duration timeout);

  /** A snapshot of the client's counters. Cheap; safe to poll. */
  AepClientMetrics metrics();

  /**
   * Closes within the delivery timeout plus the request timeout; see {@link #close(Duration)}.
   *
   * @throws IllegalStateException if called on one of the client's own threads (a callback)
   */
  @Override
  void close();

  /**
   * Refuses new messages, delivers what is buffered for up to {@code timeout}, then fails whatever is still unsettled
   * with {@link AepDeliveryException} ({@code CLOSED}: it may have been delivered), cancels requests in flight and
   * stops the client's threads. A {@code flush} waiting in another thread then returns. If the calling thread is
   * interrupted (before or during the wait), close stops waiting, fails what is unsettled the same way, still
   * stops every thread, and returns with the thread's interrupt status set. Idempotent: a call made while another
   * thread's close is under way waits (up to its own {@code timeout}) for that close to finish; a call after it
   * returns at once.
   *
   * @throws NullPointerException if {@code timeout} is null (nothing is closed)
   * @throws IllegalStateException if called on one of the client's own threads (a callback); nothing is closed
   */
  void close(Duration timeout);
}
