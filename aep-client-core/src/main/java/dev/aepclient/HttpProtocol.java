package dev.aepclient;

/**
 * Which HTTP version the client speaks to DCS and IMS ({@link AepStreamingClientBuilder#httpProtocol}; key
 * {@code aep.http.protocol}).
 *
 * <p>AEP's documentation does not say which versions its edge serves, so the choice is the user's. The default,
 * {@link #HTTP_1_1}, is what the benchmarks measure: each request in flight has its own connection, so a slow
 * upload never holds back another one and TCP's congestion window grows per connection.
 */
public enum HttpProtocol {
  /** HTTP/1.1 only: one request per connection at a time, a pool of up to {@code maxInFlightRequests + 2}. */
  HTTP_1_1,
  /**
   * HTTP/2 when the server offers it over TLS (ALPN), HTTP/1.1 otherwise: requests share one connection, so
   * fewer TLS handshakes, but every request in flight shares one TCP window and the server's HTTP/2 flow-control
   * windows. Plain {@code http://} URLs (test rigs) stay HTTP/1.1: no cleartext HTTP/2 (h2c) is attempted.
   */
  HTTP_2
}
