package dev.aepclient;

/**
 * Sees the outcome of every message a client settles, in addition to the message's own future. Exactly one
 * method is called per message. Set with {@link AepStreamingClientBuilder#deliveryListener(DeliveryListener)}.
 *
 * <p>Called on the client's I/O threads: implementations must be thread-safe and quick, and must not block
 * (hand slow work to an executor of your own). An exception thrown here is logged and ignored; it does not
 * change the outcome.
 */
public interface DeliveryListener {
  /** AEP accepted the message. */
  default void onDelivered(AepMessage message, Delivery delivery) {}

  /** AEP refused the message itself (permanent). */
  default void onRejected(AepMessage message, AepRejectedException rejection) {}

  /** The client gave up on the message (see {@link AepDeliveryException#reason()}). */
  default void onFailed(AepMessage message, AepDeliveryException failure) {}
}
