package dev.aepclient.kafka;

/**
 * Told of every change of {@link ForwarderState}. Called on the thread that saw the change (the poll thread or one
 * of the client's I/O threads): return quickly, do not block, do not call back into the forwarder's loop. An
 * exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface StateListener {
  /**
   * Called when the state changes.
   *
   * @param state the new state
   * @param cause why: the delivery failure for {@code DEGRADED}, the stopping error for {@code STOPPED} (null when it
   *     was closed), null for {@code RUNNING}
   */
  void onStateChange(ForwarderState state, Throwable cause);
}
