package dev.aepclient;

import java.time.Duration;

/**
 * A point-in-time snapshot of a client's counters, from {@link AepStreamingClient#metrics()}. Counters are
 * cumulative since the client was built. {@code messagesSent == messagesDelivered + messagesRejected +
 * messagesFailed + bufferedMessages} holds for a snapshot taken while no send is in progress.
 *
 * @param messagesSent        messages {@code send} returned a future for (those refused with an exception at the
 *                            call are not counted; those failed for a full buffer are)
 * @param messagesDelivered   messages AEP accepted
 * @param messagesRejected    messages AEP refused ({@link AepRejectedException})
 * @param messagesFailed      messages the client gave up on ({@link AepDeliveryException}), buffer-full ones included
 * @param bufferedMessages    messages accepted by {@code send} and not yet settled
 * @param bufferedBytes       bytes of those messages, counted against the buffer budget ({@code aep.buffer.max.bytes})
 * @param batches             batches closed and handed to the sender
 * @param requests            HTTP requests made to the inlet, retries and bisection halves included
 * @param retriedRequests     requests that were retries of an earlier failed attempt
 * @param throttledRequests   requests answered with 429
 * @param bytesSent           request body bytes posted (before gzip), retries included
 * @param inFlightRequests    requests currently waiting for an answer
 * @param latencyP50          median time from {@code send} to the message's outcome
 * @param latencyP99          99th percentile of the same
 * @param inFlightLimit       requests allowed in flight now: the adaptive limit (see
 *                            {@link AepStreamingClientBuilder#adaptiveConcurrency(boolean)}), or the fixed one
 * @param finishedRequests    requests (HTTP attempts) that ended, with an answer or a failure
 * @param requestDurationTotal the time those requests took, summed: from the start of the attempt to its answer read
 *                            or its failure
 * @param requestDurationP50  median duration of one request, over the client's life
 * @param requestDurationP99  99th percentile of the same
 */
public record AepClientMetrics(
    long messagesSent,
    long messagesDelivered,
    long messagesRejected,
    long messagesFailed,
    long bufferedMessages,
    long bufferedBytes,
    long batches,
    long requests,
    long retriedRequests,
    long throttledRequests,
    long bytesSent,
    int inFlightRequests,
    Duration latencyP50,
    Duration latencyP99,
    int inFlightLimit,
    long finishedRequests,
    Duration requestDurationTotal,
    Duration requestDurationP50,
    Duration requestDurationP99) {}
