package dev.aepclient.examples.spring;

import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Application code: one event per checkout, sent with the client bean the starter configured. */
@Service
public class CheckoutEvents {
  private static final Logger log = LoggerFactory.getLogger(CheckoutEvents.class);

  private final AepStreamingClient aep;

  /** The service, with the starter's client. */
  public CheckoutEvents(AepStreamingClient aep) {
    this.aep = aep;
  }

  /** Sends one checkout event; the future completes when AEP accepted (or refused) it. */
  public CompletableFuture<Delivery> checkedOut(String orderId, long amountCents) {
    String json = "{\"eventType\":\"commerce.purchases\",\"orderId\":\"" + orderId + "\",\"amountCents\":"
        + amountCents + "}";
    return aep.send(AepMessage.of(json)).whenComplete((delivery, error) -> {
      if (error != null) {
        log.warn("checkout event for order {} not delivered: {}", orderId, error.getMessage());
      }
    });
  }
}
