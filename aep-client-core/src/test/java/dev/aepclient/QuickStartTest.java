package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's quick start, as written, against a stubbed IMS and DCS. */
class QuickStartTest extends WireMockTest {
  private static final Logger log = LoggerFactory.getLogger(QuickStartTest.class);

  @Test
  void readmeQuickStartRunsAsWritten() throws Exception {
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3"))
        .willReturn(okJson("{\"access_token\":\"tok\",\"token_type\":\"bearer\",\"expires_in\":86399}")));
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    String clientId = "my-client";
    String clientSecret = "my-secret";
    String orgId = "ORG@AdobeOrg";
    String json = "{\"id\":\"quick\"}";
    String inletUrl = wm.baseUrl() + "/collection/inlet-1";

    // --- README quick start, with the URLs pointed at the stub ---
    AepStreamingClient client = AepStreamingClient.builder()
        .inletUrl(inletUrl)
        .imsUrl(wm.baseUrl())
        .auth(AepAuth.oauth(clientId, clientSecret, orgId))
        .sandbox("prod")
        .build();

    CompletableFuture<Delivery> f = client.send(AepMessage.of(json));
    var unused = f.whenComplete((delivery, error) -> {
      if (error == null) log.info("accepted as {}", delivery.xactionId());
      else log.warn("not delivered: {}", error.getMessage());  // AepRejectedException or AepDeliveryException
    });
    client.flush();   // returns when everything sent so far is settled
    client.close();   // delivers what is buffered, then releases threads and connections
    // --- end ---

    assertThat(f.get(1, TimeUnit.SECONDS).xactionId()).startsWith("x-");
    assertThat(ANSWERER.accepted()).containsOnlyKeys("quick");
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH))
        .withHeader("Authorization", equalTo("Bearer tok"))
        .withHeader("x-gw-ims-org-id", equalTo(orgId))
        .withHeader("x-api-key", equalTo(clientId))
        .withHeader("x-sandbox-name", equalTo("prod"))
        .withHeader("Content-Type", equalTo("application/json; charset=utf-8").or(equalTo("application/json"))));
  }
}
