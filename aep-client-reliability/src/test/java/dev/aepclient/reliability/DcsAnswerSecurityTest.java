package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a hostile or broken DCS can send back, and what the client must not do with it (issue 15, DCS side): follow
 * a redirect with the request's data, read a decompression bomb into memory, or pass AEP's texts unescaped and
 * unbounded into exceptions and logs. Raw loopback servers, so the answers are byte for byte what the test says.
 */
@Tag("security")
class DcsAnswerSecurityTest {
  private static final String BATCH_PATH = "/collection/batch/inlet-1";

  private HttpServer dcs;
  private HttpServer elsewhere;
  private final AtomicReference<Answer> answer = new AtomicReference<>();
  private final AtomicInteger elsewhereRequests = new AtomicInteger();
  private AepStreamingClient client;

  /** How the DCS server answers the next requests. */
  @FunctionalInterface
  private interface Answer {
    void write(HttpExchange exchange) throws IOException;
  }

  @BeforeEach
  void startServers() throws IOException {
    dcs = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    dcs.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        answer.get().write(exchange);
      }
    });
    dcs.start();
    elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    elsewhere.createContext("/", exchange -> {
      try (exchange) {
        elsewhereRequests.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(500, -1);
      }
    });
    elsewhere.start();
    answer.set(DcsAnswerSecurityTest::accept);
  }

  @AfterEach
  void stopServers() {
    if (client != null) {
      client.close(Duration.ofSeconds(2));
    }
    dcs.stop(0);
    elsewhere.stop(0);
  }

  private AepStreamingClient client() {
    return client(Duration.ofMillis(200));
  }

  private AepStreamingClient client(Duration backoff) {
    client = AepStreamingClient.builder()
        .inletUrl("http://127.0.0.1:" + dcs.getAddress().getPort() + "/collection/inlet-1")
        .maxBatchRecords(1)
        .linger(Duration.ZERO)
        .deliveryTimeout(Duration.ofSeconds(2))
        .retryBackoff(backoff, backoff.multipliedBy(2))
        .build();
    return client;
  }

  /** A 207 accepting the one message of the request. */
  private static void accept(HttpExchange exchange) throws IOException {
    send(exchange, 207, "{\"inletId\":\"i\",\"batchId\":\"b\",\"receivedTimeMs\":1,\"responses\":[{\"xactionId\":\"x-1\"}]}"
        .getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      Object value = future.get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307, 308})
  void redirectToAnotherServer_isNotFollowed_andTheFailureNamesTheLocation(int status) throws Exception {
    String location = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + BATCH_PATH;
    answer.set(exchange -> {
      exchange.getResponseHeaders().set("Location", location);
      exchange.sendResponseHeaders(status, -1);
    });

    AepDeliveryException e = (AepDeliveryException) failure(client().send(AepMessage.of("{\"secret\":\"data\"}")));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
    assertThat(e.lastStatusCode()).hasValue(status);
    assertThat(e.getMessage()).contains("redirect").contains(location);
    assertThat(elsewhereRequests).hasValue(0);
  }

  @Test
  void redirectLocation_withControlCharacters_isEscapedInTheError() throws Exception {
    answer.set(exchange -> {
      exchange.getResponseHeaders().set("Location", "http://evil.example/\u001b[31mred");
      exchange.sendResponseHeaders(307, -1);
    });

    AepDeliveryException e = (AepDeliveryException) failure(client().send(AepMessage.of("{}")));
    assertThat(e.getMessage()).doesNotContain("\u001b").contains("\\u001b");
  }

  @Test
  void gzipBombAnswer_settlesTheMessageWithAClearError_andTheClientKeepsWorking() throws Exception {
    byte[] bomb = gzipOfSpaces(64 << 20); // 64 MiB inflated, ~64 KiB on the wire: far above the 8 MiB read cap
    assertThat(bomb.length).isLessThan(1 << 20);
    answer.set(exchange -> {
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
      send(exchange, 207, bomb);
    });
    // A back-off longer than the delivery timeout: one attempt, so the failure reports what that attempt met.
    AepStreamingClient c = client(Duration.ofSeconds(3));

    AepDeliveryException e = (AepDeliveryException) failure(c.send(AepMessage.of("{}")));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.DELIVERY_TIMEOUT);
    assertThat(e.getMessage()).contains("larger than");
    assertThat(c.metrics().inFlightRequests()).isZero();
    assertThat(c.metrics().bufferedBytes()).isZero();

    answer.set(DcsAnswerSecurityTest::accept);
    Delivery d = c.send(AepMessage.of("{}")).get(20, TimeUnit.SECONDS);
    assertThat(d.xactionId()).isEqualTo("x-1");
  }

  @Test
  void entryText_withControlCharactersAndHugeLength_isEscapedAndBounded() throws Exception {
    String evil = "bad schema\\n2026-01-01 INFO forged log line\\u001b[31m" + "A".repeat(200_000);
    answer.set(exchange -> send(exchange, 207, ("{\"responses\":[{\"statusCode\":400,\"message\":\"" + evil + "\"}]}")
        .getBytes(StandardCharsets.UTF_8)));

    AepRejectedException e = (AepRejectedException) failure(client().send(AepMessage.of("{}")));
    assertThat(e.reason()).startsWith("bad schema\\n2026").doesNotContain("\n").doesNotContain("\u001b");
    assertThat(e.reason().length()).isLessThan(1_000);
    assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(1_100);
  }

  @Test
  void errorBody_withControlCharactersAndHugeLength_isReadInPartEscapedAndBounded() throws Exception {
    byte[] body = ("line one\r\nline two\u0007" + "B".repeat(5 << 20)).getBytes(StandardCharsets.UTF_8);
    answer.set(exchange -> send(exchange, 400, body));

    AepRejectedException e = (AepRejectedException) failure(client().send(AepMessage.of("{}")));
    assertThat(e.reason()).startsWith("line one\\r\\nline two\\u0007").doesNotContain("\r").doesNotContain("\u0007");
    assertThat(e.reason().length()).isLessThan(1_000);
  }

  private static byte[] gzipOfSpaces(int inflatedBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 20];
    java.util.Arrays.fill(chunk, (byte) ' ');
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gzip.write("{\"responses\":[".getBytes(StandardCharsets.UTF_8));
      for (int written = 0; written < inflatedBytes; written += chunk.length) {
        gzip.write(chunk);
      }
    }
    return out.toByteArray();
  }
}
