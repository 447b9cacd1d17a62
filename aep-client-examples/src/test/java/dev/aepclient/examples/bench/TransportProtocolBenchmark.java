package dev.aepclient.examples.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.HttpProtocol;
import dev.aepclient.testkit.internal.BatchScanner;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * HTTP/1.1 against HTTP/2 ({@link HttpProtocol}, over TLS as with AEP, negotiated by ALPN) for the same client,
 * messages and server: WireMock on Jetty, which offers both on its HTTPS port (the simulator's JDK server speaks
 * HTTP/1.1 only), answering every batch with a 207 of one entry per message after a 50 ms delay. The server runs in this JVM, so the CPU per message below is
 * client and server together: compare the two protocols, not the figures with the simulator's. Off unless
 * {@code -Daep.bench=true}:
 *
 * <pre>mvn -B -o -pl aep-client-examples -am test -Dtest=TransportProtocolBenchmark -Daep.bench=true
 *     -Dsurefire.failIfNoSpecifiedTests=false   # table in target/surefire-reports/*TransportProtocolBenchmark-output.txt</pre>
 */
@EnabledIfSystemProperty(named = "aep.bench", matches = "true")
class TransportProtocolBenchmark {
  private static final int MESSAGES = Integer.getInteger("aep.bench.messages", 300_000);

  /** The 207 AEP gives a batch: one entry per message of the request. */
  static final class BatchAnswer implements ResponseTransformerV2 {
    private final AtomicLong batches = new AtomicLong();

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
      byte[] body = serveEvent.getRequest().getBody();
      int messages;
      try {
        messages = BatchScanner.counting(body, body.length).length / 2;
      } catch (Exception e) {
        return Response.Builder.like(response).but().status(400).body("{\"message\":\"bad body\"}").build();
      }
      long batch = batches.incrementAndGet();
      StringBuilder answer = new StringBuilder(64 + messages * 48)
          .append("{\"inletId\":\"bench\",\"batchId\":\"b").append(batch).append("\",\"receivedTimeMs\":1,")
          .append("\"responses\":[");
      for (int i = 0; i < messages; i++) {
        answer.append(i == 0 ? "" : ",").append("{\"xactionId\":\"b").append(batch).append('-').append(i)
            .append("\"}");
      }
      return Response.Builder.like(response).but().body(answer.append("]}").toString()).build();
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public String getName() {
      return "batch-answer";
    }
  }

  @Test
  void http1AgainstHttp2OverTlsAt50Ms() throws Exception {
    WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().dynamicHttpsPort()
        .http2TlsDisabled(false).containerThreads(200)
        .asynchronousResponseEnabled(true).asynchronousResponseThreads(4).disableRequestJournal()
        .notifier(new Slf4jNotifier(false)).extensions(new BatchAnswer()));
    server.start();
    try {
      server.stubFor(post(urlPathMatching("/collection/.*")).willReturn(aResponse().withStatus(207)
          .withHeader("Content-Type", "application/json").withFixedDelay(50).withTransformers("batch-answer")));
      String inlet = "https://localhost:" + server.httpsPort() + "/collection/bench";
      AepMessage[] events = new AepMessage[1024];
      dev.aepclient.examples.demo.SampleEvents sample = new dev.aepclient.examples.demo.SampleEvents();
      for (int i = 0, n = 0; i < events.length; n++) {
        if (!dev.aepclient.examples.demo.SampleEvents.isBad(n)) {
          events[i++] = AepMessage.of(sample.value(n));
        }
      }
      StringBuilder table = new StringBuilder("| protocol | round | messages/s | process CPU µs/msg (client + server)"
          + " | connections opened | protocol seen |\n|---|---:|---:|---:|---:|---|\n");
      for (int round = 1; round <= 2; round++) {
        for (HttpProtocol protocol : HttpProtocol.values()) {
          table.append(run(inlet, protocol, events, round)).append('\n');
        }
      }
      System.out.println("\n" + table);
    } finally {
      server.stop();
    }
  }

  private static String run(String inlet, HttpProtocol protocol, AepMessage[] events, int round) throws Exception {
    AtomicLong connects = new AtomicLong();
    AtomicReference<Protocol> lastProtocol = new AtomicReference<>();
    X509TrustManager trustAll = new X509TrustManager() { // WireMock's self-signed certificate, this test only
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {trustAll}, new SecureRandom());
    OkHttpClient http = new OkHttpClient.Builder().sslSocketFactory(tls.getSocketFactory(), trustAll)
        .hostnameVerifier((host, session) -> true)
        .connectionPool(new ConnectionPool(66, 5, TimeUnit.MINUTES))
        .eventListener(new EventListener() {
          @Override
          public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            connects.incrementAndGet();
          }

          @Override
          public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol negotiated) {
            lastProtocol.set(negotiated);
          }
        }).build();
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(inlet).httpClient(http)
        .httpProtocol(protocol).build()) {
      send(client, events, MESSAGES / 10);
      long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
      long start = System.nanoTime();
      send(client, events, MESSAGES);
      double seconds = (System.nanoTime() - start) / 1e9;
      long used = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime() - cpu;
      AepClientMetrics m = client.metrics();
      assertThat(m.messagesDelivered()).isEqualTo(MESSAGES + MESSAGES / 10);
      return String.format("| %s | %d | %,.0f | %.2f | %d | %s |", protocol, round, MESSAGES / seconds,
          used / 1000.0 / MESSAGES, connects.get(), lastProtocol.get());
    } finally {
      http.dispatcher().executorService().shutdown();
    }
  }

  private static void send(AepStreamingClient client, AepMessage[] events, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      var unused = client.send(events[i % events.length]);
    }
    client.flush();
  }
}
