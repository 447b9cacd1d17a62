package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTls;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP version the client speaks ({@code httpProtocol}, key {@code aep.http.protocol}), seen on a real TLS
 * connection to a server that offers both HTTP/2 and HTTP/1.1 by ALPN.
 */
class HttpProtocolTest {
  private static final String INLET_PATH = "/collection/inlet-1";
  private static final String BATCH_PATH = "/collection/batch/inlet-1";

  @RegisterExtension
  static final WireMockExtension wm = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().dynamicHttpsPort().http2TlsDisabled(false)
          .extensions(new BatchAnswerer()))
      .build();

  /** The protocol of every connection a request went out on, seen by a network interceptor of the user's client. */
  private final List<Protocol> seen = new CopyOnWriteArrayList<>();
  private OkHttpClient trustingWireMock;

  @BeforeEach
  void setUp() throws Exception {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    trustingWireMock = WireMockTls.trustingBuilder()
        .addNetworkInterceptor(chain -> {
          seen.add(chain.connection().protocol());
          return chain.proceed(chain.request());
        })
        .build();
  }

  @AfterEach
  void tearDown() {
    trustingWireMock.dispatcher().executorService().shutdown();
    trustingWireMock.connectionPool().evictAll();
  }

  private AepStreamingClientBuilder overTls() {
    return AepStreamingClient.builder()
        .inletUrl("https://localhost:" + wm.getHttpsPort() + INLET_PATH)
        .httpClient(trustingWireMock)
        .linger(Duration.ofMillis(5))
        .deliveryTimeout(Duration.ofSeconds(20));
  }

  @Test
  void byDefault_http11_evenWhenTheServerOffersHttp2() {
    try (AepStreamingClient client = overTls().build()) {
      value(client.send(AepMessage.of("{\"id\":\"1\"}")));
    }

    assertThat(seen).isNotEmpty().containsOnly(Protocol.HTTP_1_1);
  }

  @Test
  void http2_negotiatedOverTls_whenChosen() {
    try (AepStreamingClient client = overTls().httpProtocol(HttpProtocol.HTTP_2).build()) {
      value(client.send(AepMessage.of("{\"id\":\"1\"}")));
    }

    assertThat(seen).isNotEmpty().containsOnly(Protocol.HTTP_2);
  }

  @Test
  void http2_onPlainHttp_staysHttp11_withoutTryingCleartextHttp2() {
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl("http://localhost:" + wm.getPort() + INLET_PATH)
        .httpClient(trustingWireMock).linger(Duration.ofMillis(5)).httpProtocol(HttpProtocol.HTTP_2).build()) {
      value(client.send(AepMessage.of("{\"id\":\"1\"}")));
    }

    assertThat(seen).isNotEmpty().containsOnly(Protocol.HTTP_1_1);
  }

  @Test
  void propertyKey_caseInsensitive_andABadValueNamesTheKeyAndTheChoices() {
    Properties properties = new Properties();
    properties.setProperty("aep.inlet.url", "https://localhost:" + wm.getHttpsPort() + INLET_PATH);
    properties.setProperty("aep.http.protocol", "http_2");
    AepStreamingClient.fromProperties(properties).close(Duration.ZERO);

    properties.setProperty("aep.http.protocol", "h3");
    assertThatThrownBy(() -> AepStreamingClient.fromProperties(properties))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aep.http.protocol")
        .hasMessageContaining("HTTP_1_1 or HTTP_2");
  }

  @Test
  void nullProtocol_refusedAtTheSetter() {
    assertThatThrownBy(() -> AepStreamingClient.builder().httpProtocol(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("protocol");
  }
}
