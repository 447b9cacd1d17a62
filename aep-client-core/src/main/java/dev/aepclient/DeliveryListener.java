package dev.aepclient;

/**
 * Sees the outcome of every message a client settles, in addition to the message's own future. Exactly one
 * method is called per message. Set with {@link AepStreamingClientBuilder#deliveryListener(DeliveryListener)}.
 *
 * <p>Called on the client's I/O threads (or on the thread calling {@code send}/{@code close} for outcomes
 * decided there): implementations must be thread-safe and quick, and must not block (hand slow work to an
 * executor of your own). {@code flush} and {@code close} called from here throw {@link IllegalStateException}
 * (see "Callback threads" on {@link AepStreamingClient}). Anything thrown here, an {@link Error} included, is
 * logged and ignored: it does not change the outcome, and the message's future still completes.
 */
public interface DeliveryListener {
  /** AEP accepted the message. */
  default void onDelivered(AepMessage message, Delivery delivery) {}

  /** AEP refused the message itself (permanent). */
  default void onRejected(AepMessage message, AepRejectedException rejection) {}

  /** The client gave up on the message (see {@link AepDeliveryException#reason()}). */
  default void onFailed(AepMessage message, AepDeliveryException failure) {}
}
