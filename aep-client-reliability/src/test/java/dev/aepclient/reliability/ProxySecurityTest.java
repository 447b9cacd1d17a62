package dev.aepclient.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proxy credentials go to the proxy only, and only when it asks for Basic: a 407 that the origin sends inside the
 * CONNECT tunnel (a TLS-inspecting gateway, a misconfigured server) never gets {@code Proxy-Authorization}.
 * Through {@link LoopbackConnectProxy}, a real CONNECT proxy on loopback that demands credentials.
 */
@Tag("security")
class ProxySecurityTest {
  private static final String USER = "proxy-user";
  private static final String PASSWORD = "proxy-Pa55word";
  private static final String CREDENTIAL = Credentials.basic(USER, PASSWORD);

  @Test
  void deliversThroughAnAuthenticatingConnectProxy_credentialsOnlyAfterItsBasicChallenge() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().https(true).idPointer("/id").start();
        LoopbackConnectProxy proxy = new LoopbackConnectProxy("Basic realm=\"corp-proxy\"", CREDENTIAL)) {
      OkHttpClient trusting = new OkHttpClient.Builder()
          .sslSocketFactory(aep.clientSslContext().getSocketFactory(), aep.trustManager()).build();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).httpClient(trusting)
          .proxy("127.0.0.1", proxy.port()).proxyCredentials(USER, PASSWORD).build()) {
        assertThat(client.send(AepMessage.of("{\"id\":\"tunnelled\"}")).get(10, TimeUnit.SECONDS).xactionId())
            .isNotEmpty();
      }
      assertThat(aep.timesAccepted("tunnelled")).isEqualTo(1);
      assertThat(proxy.tunnelsOpened.get()).isPositive();
      assertThat(proxy.challengesSent.get()).as("no credentials before the proxy asked").isPositive();
      assertThat(proxy.credentialsReceived).containsOnly(CREDENTIAL);
      assertThat(aep.requests()).allSatisfy(r -> assertThat(r.header("Proxy-Authorization")).isNull());
    }
  }

  @Test
  void a407FromTheOriginInsideTheTunnel_neverGetsTheProxyCredentials() throws Exception {
    WireMockServer origin = new WireMockServer(wireMockConfig().dynamicPort().dynamicHttpsPort());
    origin.start();
    try (LoopbackConnectProxy proxy = new LoopbackConnectProxy("Basic realm=\"corp-proxy\"", CREDENTIAL)) {
      origin.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(407)
          .withHeader("Proxy-Authenticate", "Basic realm=\"origin\"").withBody("{}")));
      String inlet = "https://127.0.0.1:" + origin.httpsPort() + "/collection/inlet-1";
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(inlet).httpClient(trustingWireMock())
          .proxy("127.0.0.1", proxy.port()).proxyCredentials(USER, PASSWORD).deliveryTimeout(Duration.ofSeconds(5))
          .build()) {
        Throwable e = client.send(AepMessage.of("{\"id\":\"x\"}")).handle((d, t) -> t).get(20, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("407")
            .hasMessageNotContaining(PASSWORD);
      }
      assertThat(proxy.tunnelsOpened.get()).as("the proxy's own challenge was answered").isPositive();
      assertThat(origin.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl())))
          .as("the origin's 407 is not answered with a second request").hasSize(1)
          .allSatisfy((LoggedRequest r) -> assertThat(r.containsHeader("Proxy-Authorization")).isFalse());
    } finally {
      origin.stop();
    }
  }

  @Test
  void aProxyAskingForAnotherScheme_getsNoBasicCredentials() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().https(true).idPointer("/id").start();
        LoopbackConnectProxy proxy = new LoopbackConnectProxy("Digest realm=\"corp\", nonce=\"abc\"", CREDENTIAL)) {
      OkHttpClient trusting = new OkHttpClient.Builder()
          .sslSocketFactory(aep.clientSslContext().getSocketFactory(), aep.trustManager()).build();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).httpClient(trusting)
          .proxy("127.0.0.1", proxy.port()).proxyCredentials(USER, PASSWORD).deliveryTimeout(Duration.ofSeconds(2))
          .build()) {
        Throwable e = client.send(AepMessage.of("{\"id\":\"digest\"}")).handle((d, t) -> t).get(20, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageNotContaining(PASSWORD);
      }
      assertThat(proxy.challengesSent.get()).isPositive();
      assertThat(proxy.credentialsReceived).as("Basic credentials never sent to a Digest challenge").isEmpty();
      assertThat(aep.timesAccepted("digest")).isZero();
    }
  }

  /** Trusts WireMock's bundled self-signed certificate (any certificate: this client talks to loopback only). */
  private static OkHttpClient trustingWireMock() throws Exception {
    X509TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
    return new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), trustAll)
        .hostnameVerifier((host, session) -> true).build();
  }
}
