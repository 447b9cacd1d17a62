package dev.aepclient.testkit.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/** Reading bodies and writing answers on the JDK server. */
final class Exchanges {
  private Exchanges() {}

  /** Thrown when a body is above the limit: answer 413. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException() {
      super("request body too large", null);
    }
  }

  /** The body, gunzipped when {@code Content-Encoding: gzip}; at most {@code limit} bytes (else TooLarge). */
  static byte[] body(HttpExchange exchange, int limit) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > limit
            && !"gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
          drain(exchange.getRequestBody());
          throw new TooLargeException();
        }
      } catch (NumberFormatException ignored) {
        // let the read decide
      }
    }
    InputStream in = exchange.getRequestBody();
    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    byte[] bytes = in.readNBytes(limit + 1);
    if (bytes.length > limit) {
      drain(exchange.getRequestBody());
      throw new TooLargeException();
    }
    return bytes;
  }

  /**
   * Reads and discards at most {@code limit} bytes of the body as sent (never inflated); whatever is left is the
   * server's to drop with the connection.
   */
  static void skipRaw(HttpExchange exchange, long limit) throws IOException {
    InputStream in = exchange.getRequestBody();
    byte[] scratch = new byte[8192];
    long left = limit;
    int n;
    while (left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0) {
      left -= n;
    }
  }

  private static void drain(InputStream in) throws IOException {
    in.transferTo(OutputStream.nullOutputStream());
  }

  static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static void send(HttpExchange exchange, int status, String json) throws IOException {
    send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
  }

  static ByteArrayOutputStream buffer(int size) {
    return new ByteArrayOutputStream(size);
  }
}
