package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review of {@code httpProtocol(HTTP_2)} with {@code proxy(...)}: through an HTTP CONNECT tunnel (a real one, on
 * loopback) the client still negotiates HTTP/2 with the inlet by ALPN, and HTTP/1.1 by default.
 */
class HttpProtocolThroughProxyTest {
  private static final String INLET_PATH = "/collection/inlet-1";
  private static final String BATCH_PATH = "/collection/batch/inlet-1";

  @RegisterExtension
  static final WireMockExtension wm = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().dynamicHttpsPort().http2TlsDisabled(false)
          .extensions(new BatchAnswerer()))
      .build();

  private final List<Protocol> seen = new CopyOnWriteArrayList<>();
  private final List<String> tunnels = new CopyOnWriteArrayList<>();
  private OkHttpClient trustingWireMock;
  private ServerSocket proxy;
  private Thread acceptor;

  @BeforeEach
  void setUp() throws Exception {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    trustingWireMock = WireMockTls.trustingBuilder()
        .addNetworkInterceptor(chain -> {
          seen.add(chain.connection().protocol());
          return chain.proceed(chain.request());
        })
        .build();
    proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptTunnels, "test-connect-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    proxy.close();
    acceptor.join(5_000);
    trustingWireMock.dispatcher().executorService().shutdown();
    trustingWireMock.connectionPool().evictAll();
  }

  /** A minimal CONNECT proxy: reads the request head, connects to the target, pipes both ways. */
  private void acceptTunnels() {
    while (!proxy.isClosed()) {
      try {
        Socket client = proxy.accept();
        Thread tunnel = new Thread(() -> tunnel(client), "test-connect-tunnel");
        tunnel.setDaemon(true);
        tunnel.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void tunnel(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.write(b);
      }
      String requestLine = head.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1)[0];
      tunnels.add(requestLine);
      String[] target = requestLine.split(" ", -1)[1].split(":", -1);
      try (Socket upstream = new Socket(target[0], Integer.parseInt(target[1]))) {
        OutputStream out = client.getOutputStream();
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread up = new Thread(() -> pipe(in, upstream), "test-connect-pipe");
        up.setDaemon(true);
        up.start();
        pipe(upstream.getInputStream(), client);
      }
    } catch (IOException | RuntimeException e) {
      // the tunnel ends with either side
    }
  }

  private static void pipe(InputStream from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      OutputStream out = to.getOutputStream();
      for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // the other side closed
    }
  }

  private AepStreamingClientBuilder overTlsThroughTheProxy() {
    return AepStreamingClient.builder()
        .inletUrl("https://localhost:" + wm.getHttpsPort() + INLET_PATH)
        .httpClient(trustingWireMock)
        .proxy("127.0.0.1", proxy.getLocalPort())
        .linger(Duration.ofMillis(5))
        .deliveryTimeout(Duration.ofSeconds(20));
  }

  @Test
  void http2ThroughAConnectProxy_isNegotiatedWithTheInletByAlpn() {
    try (AepStreamingClient client = overTlsThroughTheProxy().httpProtocol(HttpProtocol.HTTP_2).build()) {
      value(client.send(AepMessage.of("{\"id\":\"1\"}")));
      value(client.send(AepMessage.of("{\"id\":\"2\"}")));
    }

    assertThat(tunnels).isNotEmpty().allMatch(line -> line.startsWith("CONNECT localhost:" + wm.getHttpsPort()));
    assertThat(seen).hasSize(2).containsOnly(Protocol.HTTP_2);
  }

  @Test
  void byDefaultThroughAConnectProxy_staysHttp11() {
    try (AepStreamingClient client = overTlsThroughTheProxy().build()) {
      value(client.send(AepMessage.of("{\"id\":\"1\"}")));
    }

    assertThat(tunnels).isNotEmpty();
    assertThat(seen).isNotEmpty().containsOnly(Protocol.HTTP_1_1);
  }
}
