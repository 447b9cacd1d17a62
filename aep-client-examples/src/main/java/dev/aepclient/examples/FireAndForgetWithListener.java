package dev.aepclient.examples;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fire and forget: ignore the futures and let one {@link DeliveryListener} see every outcome (count, log, alert,
 * park the failures somewhere). Run: {@code FireAndForgetWithListener <inletUrl>}.
 */
public final class FireAndForgetWithListener {
  private FireAndForgetWithListener() {}

  /** What the listener saw. */
  public record Counts(long delivered, long rejected, long failed) {}

  public static void main(String[] args) {
    System.out.println(run(args[0], 1_000));
  }

  public static Counts run(String inletUrl, int events) {
    LongAdder delivered = new LongAdder();
    LongAdder rejected = new LongAdder();
    LongAdder failed = new LongAdder();
    DeliveryListener listener = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        delivered.increment();
      }

      @Override
      public void onRejected(AepMessage message, AepRejectedException rejection) {
        rejected.increment(); // AEP refused this message: fix the data, it will not pass on a retry
      }

      @Override
      public void onFailed(AepMessage message, AepDeliveryException failure) {
        failed.increment(); // not delivered (timeout, auth, closed): keep it and send it again later
      }
    };
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(inletUrl).deliveryListener(listener)
        .build()) {
      for (int i = 0; i < events; i++) {
        var unused = client.send(AepMessage.of("{\"id\":\"" + i + "\",\"event\":\"signup\"}"));
      }
    } // close() delivers everything buffered first
    return new Counts(delivered.sum(), rejected.sum(), failed.sum());
  }
}
