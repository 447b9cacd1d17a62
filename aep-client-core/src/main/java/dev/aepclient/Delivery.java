package dev.aepclient;

import java.util.Objects;

/**
 * AEP's receipt for one accepted message.
 *
 * @param xactionId      the receipt id AEP gave this message; opaque (its shape varies), never parse it
 * @param inletId        the inlet that accepted it, as AEP reported it (may be empty)
 * @param batchId        AEP's id of the request that carried it, or empty when AEP gave none
 * @param receivedTimeMs AEP's receive time in epoch milliseconds, or 0 when AEP gave none
 */
public record Delivery(String xactionId, String inletId, String batchId, long receivedTimeMs) {
  /**
   * A receipt; null {@code inletId} and {@code batchId} become empty strings.
   *
   * @throws NullPointerException if {@code xactionId} is null
   */
  public Delivery {
    Objects.requireNonNull(xactionId, "xactionId");
    inletId = inletId == null ? "" : inletId;
    batchId = batchId == null ? "" : batchId;
  }
}
