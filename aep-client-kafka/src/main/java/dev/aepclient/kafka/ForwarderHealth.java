package dev.aepclient.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A health snapshot for a readiness or liveness probe: {@link #isReady()} while forwarding normally,
 * {@link #isAlive()} until stopped for good.
 *
 * @param state              the current state
 * @param cause              why it is {@code DEGRADED} or {@code STOPPED}, if known
 * @param since              when it entered this state
 * @param unsettledRecords   records polled and not yet committable
 * @param oldestUnsettledAge how long the oldest of them has waited ({@link Duration#ZERO} when none)
 */
public record ForwarderHealth(ForwarderState state, Optional<Throwable> cause, Instant since, long unsettledRecords,
    Duration oldestUnsettledAge) {

  /** Ready to serve: {@link ForwarderState#RUNNING}. */
  public boolean isReady() {
    return state == ForwarderState.RUNNING;
  }

  /** Not stopped for good: {@code RUNNING} or {@code DEGRADED} (waiting for AEP). */
  public boolean isAlive() {
    return state != ForwarderState.STOPPED;
  }
}
