package dev.aepclient.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain HTTP server on loopback (the JDK's own) whose answers a test scripts, recording every request it
 * receives: the misconfigured gateway, the redirecting IMS, the host a redirect points to.
 */
final class HostileHttpServer implements AutoCloseable {
  /** One request as received. */
  record Received(String method, String path, String query, String body, String authorization) {}

  /** Writes the answer to one exchange. */
  interface Answer {
    void answer(HttpExchange exchange) throws IOException;
  }

  /** The exchange attribute holding the request body as text (the recorder has read the stream). */
  static final String BODY = "request-body";

  private final HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();

  HostileHttpServer(Answer answer) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        exchange.setAttribute(BODY, body);
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            exchange.getRequestURI().getRawQuery(), body, exchange.getRequestHeaders().getFirst("Authorization")));
        answer.answer(exchange);
      }
    });
    server.start();
  }

  /** {@code http://127.0.0.1:port} */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
