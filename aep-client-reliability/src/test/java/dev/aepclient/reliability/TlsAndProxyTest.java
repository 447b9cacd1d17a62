package dev.aepclient.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import java.net.Authenticator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** TLS with the simulator's own trust material, a clear failure without it, and an authenticating HTTP proxy. */
@Tag("reliability")
class TlsAndProxyTest {

  @Test
  void https_trustedThroughTheUsersOkHttpClient_refusedClearlyOtherwise() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().https(true).idPointer("/id").start()) {
      OkHttpClient trusting = new OkHttpClient.Builder()
          .sslSocketFactory(aep.clientSslContext().getSocketFactory(), aep.trustManager()).build();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).httpClient(trusting)
          .build()) {
        assertThat(client.send(AepMessage.of("{\"id\":\"tls\"}")).get(10, TimeUnit.SECONDS).xactionId()).isNotEmpty();
      }
      assertThat(aep.timesAccepted("tls")).isEqualTo(1);

      try (AepStreamingClient untrusting = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build()) {
        long start = System.nanoTime();
        Throwable e = untrusting.send(AepMessage.of("{\"id\":\"x\"}")).handle((d, t) -> t).get(10, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(AepDeliveryException.class)
            .hasMessageContaining("TLS handshake with 127.0.0.1 failed: its certificate is not trusted")
            .hasMessageContaining("httpClient(...)");
        assertThat(((AepDeliveryException) e).reason()).isEqualTo(AepDeliveryException.Reason.REQUEST_REFUSED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails at once, no retrying")
            .isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void throughAnAuthenticatingProxy_withoutTouchingJvmWideSettings() throws Exception {
    String proxyUser = "proxy-user";
    String proxyPassword = "proxy-pass";
    try (AepSimulator aep = AepSimulator.builder().idPointer("/id").start()) {
      WireMockServer proxy = new WireMockServer(wireMockConfig().dynamicPort().enableBrowserProxying(true));
      proxy.start();
      try {
        proxy.stubFor(any(anyUrl()).atPriority(1)
            .withHeader("Proxy-Authorization", equalTo(Credentials.basic(proxyUser, proxyPassword)))
            .willReturn(aResponse().proxiedFrom(aep.baseUrl())));
        proxy.stubFor(any(anyUrl()).atPriority(2).willReturn(aResponse().withStatus(407)
            .withHeader("Proxy-Authenticate", "Basic realm=\"aep-test\"")));
        try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl())
            .proxy("127.0.0.1", proxy.port()).proxyCredentials(proxyUser, proxyPassword).build()) {
          assertThat(client.send(AepMessage.of("{\"id\":\"proxied\"}")).get(10, TimeUnit.SECONDS).xactionId())
              .isNotEmpty();
        }
        assertThat(aep.timesAccepted("proxied")).isEqualTo(1);
        assertThat(proxy.getAllServeEvents()).anySatisfy(e -> assertThat(e.getResponse().getStatus()).isEqualTo(407));

        try (AepStreamingClient wrongPassword = AepStreamingClient.builder().inletUrl(aep.inletUrl())
            .proxy("127.0.0.1", proxy.port()).proxyCredentials(proxyUser, "wrong").deliveryTimeout(Duration.ofSeconds(2))
            .build()) {
          Throwable e = wrongPassword.send(AepMessage.of("{\"id\":\"nope\"}")).handle((d, t) -> t)
              .get(20, TimeUnit.SECONDS);
          assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageNotContaining("wrong");
        }
      } finally {
        proxy.stop();
      }
    }
    assertThat(Authenticator.getDefault()).as("no JVM-wide authenticator").isNull();
    assertThat(System.getProperty("http.proxyHost")).isNull();
    assertThat(System.getProperty("https.proxyHost")).isNull();
  }
}
