package dev.aepclient.testkit.internal;

/**
 * A server-side limit per inlet as AEP applies one: two token buckets (requests/s and messages/s), each holding at
 * most one second's worth. A request is admitted when a request token is there and the message bucket holds at least
 * as many tokens as the request has messages (or is full, so a batch larger than the bucket can still pass); admitted
 * requests take their tokens (the message bucket may go below zero), refused ones take nothing. Thread-safe.
 */
public final class RateLimiter {
  private final double requestsPerSecond;
  private final double messagesPerSecond;
  private double requestTokens;
  private double messageTokens;
  private long lastNanos = System.nanoTime();

  public RateLimiter(double requestsPerSecond, double messagesPerSecond) {
    this.requestsPerSecond = requestsPerSecond;
    this.messagesPerSecond = messagesPerSecond;
    this.requestTokens = requestsPerSecond;
    this.messageTokens = messagesPerSecond;
  }

  /** 0 if the request is admitted (and charged), else the nanoseconds until it would be. */
  public synchronized long tryAcquire(int messages) {
    long now = System.nanoTime();
    double elapsed = (now - lastNanos) / 1e9;
    lastNanos = now;
    requestTokens = Math.min(requestsPerSecond, requestTokens + elapsed * requestsPerSecond);
    messageTokens = Math.min(messagesPerSecond, messageTokens + elapsed * messagesPerSecond);
    double neededMessages = Math.min(messages, messagesPerSecond);
    if (requestTokens >= 1 && messageTokens >= neededMessages) {
      requestTokens -= 1;
      messageTokens -= messages;
      return 0;
    }
    double waitRequests = requestTokens >= 1 ? 0 : (1 - requestTokens) / requestsPerSecond;
    double waitMessages = messageTokens >= neededMessages ? 0 : (neededMessages - messageTokens) / messagesPerSecond;
    return Math.max(1, (long) (Math.max(waitRequests, waitMessages) * 1e9));
  }
}
