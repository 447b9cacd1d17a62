package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every request to DCS and IMS names the client and its build's version: {@code User-Agent: aep-client/{version}}. */
class UserAgentTest extends WireMockTest {
  /** The version the build wrote into the resource (set by the pom from {@code project.version}). */
  private static final String BUILD_VERSION = System.getProperty("aep.client.expected.version");
  private static final String IMS_PATH = "/ims/token/v3";

  @BeforeEach
  void answerBatchesAndTokens() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    wm.stubFor(post(urlPathEqualTo(IMS_PATH))
        .willReturn(okJson("{\"access_token\":\"t\",\"token_type\":\"bearer\",\"expires_in\":86399}")));
  }

  @Test
  void version_isTheBuildsVersionReadFromTheGeneratedResource() {
    assertThat(BUILD_VERSION).as("surefire passes project.version").isNotBlank();
    assertThat(AepClientVersion.get()).isEqualTo(BUILD_VERSION).isNotEqualTo(AepClientVersion.UNKNOWN);
  }

  @Test
  void dcsAndImsRequests_carryAepClientUserAgent() {
    AepStreamingClient client = build(builder().auth(AepAuth.oauth("client-1", "secret-1", "ORG@AdobeOrg")));

    value(client.send(message(1)));

    String expected = "aep-client/" + BUILD_VERSION;
    wm.verify(postRequestedFor(urlPathEqualTo(IMS_PATH)).withHeader("User-Agent", equalTo(expected)));
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH)).withHeader("User-Agent", equalTo(expected)));
  }

  @Test
  void syncValidationRequest_carriesAepClientUserAgent() {
    wm.stubFor(post(urlPathEqualTo(INLET_PATH)).willReturn(aResponse().withStatus(200)
        .withBody("{\"inletId\":\"inlet-1\",\"xactionId\":\"x-1\",\"receivedTimeMs\":5}")));
    AepStreamingClient client = build(builder().syncValidation(true));

    value(client.send(message(1)));

    wm.verify(postRequestedFor(urlPathEqualTo(INLET_PATH))
        .withHeader("User-Agent", equalTo("aep-client/" + BUILD_VERSION)));
  }

  @Test
  void applicationsOwnUserAgentHeader_isKeptInFrontOfOurs() {
    AepStreamingClient client = build(builder().header("User-Agent", "my-app/2.0"));

    value(client.send(message(1)));

    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH))
        .withHeader("User-Agent", equalTo("my-app/2.0 aep-client/" + BUILD_VERSION)));
  }

  @Test
  void userSuppliedOkHttpClient_sendsOursNotOkHttpsDefault_andKeepsItsInterceptorsAgent() {
    OkHttpClient plain = new OkHttpClient();
    OkHttpClient naming = new OkHttpClient.Builder()
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("User-Agent", "gateway/7").build()))
        .build();
    try {
      value(build(builder().httpClient(plain)).send(message(1)));
      value(build(builder().httpClient(naming)).send(message(2)));

      List<String> agents = wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))).stream()
          .map(LoggedRequest::getHeaders).map(h -> h.getHeader("User-Agent").firstValue()).toList();
      assertThat(agents).containsExactlyInAnyOrder("aep-client/" + BUILD_VERSION,
          "gateway/7 aep-client/" + BUILD_VERSION);
    } finally {
      plain.dispatcher().executorService().shutdown();
      naming.dispatcher().executorService().shutdown();
    }
  }
}
