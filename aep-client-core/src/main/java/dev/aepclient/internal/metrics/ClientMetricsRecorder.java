package dev.aepclient.internal.metrics;

import dev.aepclient.AepClientMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link AepClientMetrics}: striped adders, cheap to bump from many threads. */
public final class ClientMetricsRecorder {
  private final LongAdder sent = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder refusedBufferFull = new LongAdder();
  private final LongAdder refusedClosed = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder throttled = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LatencyHistogram latency = new LatencyHistogram();
  private final LongAdder finishedRequests = new LongAdder();
  private final LongAdder requestNanos = new LongAdder();
  private final LatencyHistogram requestDuration = new LatencyHistogram();

  public void messageSent() { sent.increment(); }
  public void messageDelivered(long latencyNanos) { delivered.increment(); latency.record(latencyNanos); }
  public void messageRejected(long latencyNanos) { rejected.increment(); latency.record(latencyNanos); }
  public void messageFailed(long latencyNanos) { failed.increment(); latency.record(latencyNanos); }
  /** A message refused at send (full buffer or closed client): sent and failed at once, never buffered. */
  public void messageRefusedAtSend(dev.aepclient.AepDeliveryException.Reason reason) {
    sent.increment();
    failed.increment();
    if (reason == dev.aepclient.AepDeliveryException.Reason.CLOSED) {
      refusedClosed.increment();
    } else {
      refusedBufferFull.increment();
    }
  }
  /** Refusals at send because the buffer was full. */
  public long refusedBufferFull() { return refusedBufferFull.sum(); }
  /** Refusals at send because the client was closed. */
  public long refusedClosed() { return refusedClosed.sum(); }
  public void batchClosed() { batches.increment(); }
  public void requestStarted(long bodyBytes) { requests.increment(); bytesSent.add(bodyBytes); inFlight.incrementAndGet(); }
  /** One HTTP attempt ended, answered or failed, {@code durationNanos} after it started. */
  public void requestFinished(long durationNanos) {
    inFlight.decrementAndGet();
    finishedRequests.increment();
    requestNanos.add(durationNanos);
    requestDuration.record(durationNanos);
  }
  public void requestRetried() { retried.increment(); }
  public void requestThrottled() { throttled.increment(); }

  public AepClientMetrics snapshot(long bufferedBytes, int inFlightLimit) {
    long d = delivered.sum();
    long r = rejected.sum();
    long f = failed.sum();
    long s = sent.sum();
    return new AepClientMetrics(s, d, r, f, Math.max(0, s - d - r - f), bufferedBytes, batches.sum(),
        requests.sum(), retried.sum(), throttled.sum(), bytesSent.sum(), inFlight.get(),
        latency.percentile(0.50), latency.percentile(0.99), inFlightLimit, finishedRequests.sum(),
        Duration.ofNanos(requestNanos.sum()), requestDuration.percentile(0.50), requestDuration.percentile(0.99));
  }
}
