package dev.aepclient.reliability.adversarial;

import dev.aepclient.BufferFullPolicy;
import java.time.Duration;
import java.util.List;

/** One generated trial: the client's settings, the server's behaviour and the callers' pattern. */
record TrialSpec(ClientSettings client, ServerBehaviour server, CallPattern calls) {

  /** Settings within the builder's documented ranges; durations in milliseconds. */
  record ClientSettings(int maxInFlight, long lingerMs, long initialBackoffMs, long maxBackoffMs,
      long deliveryTimeoutMs, long requestTimeoutMs, int maxBatchRecords, int maxRequestBytes,
      long maxBufferedBytes, BufferFullPolicy policy, long maxBlockMs, boolean gzip, double clientRequestsPerSecond,
      boolean oauth) {

    Duration deliveryTimeout() {
      return Duration.ofMillis(deliveryTimeoutMs);
    }

    Duration requestTimeout() {
      return Duration.ofMillis(requestTimeoutMs);
    }
  }

  /**
   * The simulator: latency, an optional server rate limit, a seeded random mix of {@code faults} hitting a share
   * {@code faultPercent} of requests ({@code 100}: the server fails every request), IMS faults, token lifetime.
   */
  record ServerBehaviour(long seed, int latencyMs, int jitterMs, boolean rateLimited, List<ServerFault> faults,
      int faultPercent, ImsFault imsFault, boolean shortTokens) {}

  /**
   * Caller threads, each running its steps in order; each message carries {@code messagePadBytes} of padding, every
   * {@code badMessageEvery}-th is one the simulator refuses (0: none), and the callback of message {@code i} is
   * {@code callbacks[i % n]}.
   */
  record CallPattern(List<List<CallerStep>> threads, int messagesPerSend, int messagePadBytes,
      List<CallbackKind> callbacks, int badMessageEvery) {}
}
