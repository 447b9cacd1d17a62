package dev.aepclient.testkit;

import java.util.List;
import java.util.Map;

/**
 * One request the simulator answered.
 *
 * @param method    the HTTP method
 * @param path      the request path, without the query
 * @param query     the raw query, or null
 * @param headers   the request headers, names in lower case
 * @param status    the status answered; 0 when the connection was dropped
 * @param messages  messages in the body of a batch request (0 for others or unreadable bodies)
 * @param receivedNanos {@link System#nanoTime()} when the simulator had read the request (to measure request rates)
 */
public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers,
    int status, int messages, long receivedNanos) {

  /** As recorded now. */
  public RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, int status,
      int messages) {
    this(method, path, query, headers, status, messages, System.nanoTime());
  }

  /** The first value of a header (name in any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
