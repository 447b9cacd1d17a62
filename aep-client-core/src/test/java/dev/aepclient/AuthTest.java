package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.aepclient.support.Futures.failure;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.aepclient.auth.ImsAuthException;
import dev.aepclient.auth.PrivateKeySource;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.TestKeys;
import dev.aepclient.support.WireMockTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each kind of credential against stubbed IMS endpoints, and the headers every DCS request carries. */
class AuthTest extends WireMockTest {
  private static final String SECRET = "s3cr&t+=/%é";
  private static final String ORG = "ORG@AdobeOrg";

  @BeforeEach
  void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  private static Map<String, String> form(LoggedRequest request) {
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : request.getBodyAsString().split("&", -1)) {
      String[] kv = pair.split("=", 2);
      form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return form;
  }

  @Test
  void oauth_postsAnEncodedClientCredentialsFormAndUsesTheToken() {
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3"))
        .willReturn(okJson("{\"access_token\":\"oauth-token\",\"token_type\":\"bearer\",\"expires_in\":86399}")));
    AepStreamingClient client = build(builder().auth(AepAuth.oauth("client-1", SECRET, ORG)));

    value(client.send(message(1)));
    LoggedRequest ims = wm.findAll(postRequestedFor(urlPathEqualTo("/ims/token/v3"))).get(0);
    assertThat(ims.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
    assertThat(ims.getBodyAsString()).doesNotContain("&t+=").contains("client_secret=s3cr%26t%2B%3D%2F%25%C3%A9");
    assertThat(form(ims)).containsExactly(Map.entry("grant_type", "client_credentials"),
        Map.entry("client_id", "client-1"), Map.entry("client_secret", SECRET),
        Map.entry("scope", "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"));
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH))
        .withHeader("Authorization", equalTo("Bearer oauth-token"))
        .withHeader("x-gw-ims-org-id", equalTo(ORG))
        .withHeader("x-api-key", equalTo("client-1")));
  }

  @Test
  void oauth_sendsConfiguredScopes() {
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3"))
        .willReturn(okJson("{\"access_token\":\"t\",\"expires_in\":86399}")));
    AepStreamingClient client = build(builder()
        .auth(AepAuth.oauth("client-1", SECRET, ORG).scopes(List.of("openid", "AdobeID"))));

    value(client.send(message(1)));
    assertThat(form(wm.findAll(postRequestedFor(urlPathEqualTo("/ims/token/v3"))).get(0)))
        .containsEntry("scope", "openid,AdobeID");
  }

  @Test
  void jwt_signsRs256WithTheDocumentedClaimsAndExchangesIt() throws Exception {
    wm.stubFor(post(urlPathEqualTo("/ims/exchange/jwt"))
        .willReturn(okJson("{\"access_token\":\"jwt-token\",\"token_type\":\"bearer\",\"expires_in\":86399000}")));
    var keys = TestKeys.rsa();
    AepStreamingClient client = build(builder().auth(
        AepAuth.jwt("client-1", SECRET, ORG, "TECH@techacct.adobe.com", PrivateKeySource.fromPem(TestKeys.pkcs8Pem(keys)))));

    value(client.send(message(1)));
    Map<String, String> form = form(wm.findAll(postRequestedFor(urlPathEqualTo("/ims/exchange/jwt"))).get(0));
    assertThat(form).containsEntry("client_id", "client-1").containsEntry("client_secret", SECRET);
    SignedJWT jwt = SignedJWT.parse(form.get("jwt_token"));
    assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
    assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) keys.getPublic()))).isTrue();
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(ORG);
    assertThat(claims.getSubject()).isEqualTo("TECH@techacct.adobe.com");
    assertThat(claims.getAudience()).containsExactly(wm.baseUrl() + "/c/client-1");
    assertThat(claims.getBooleanClaim(wm.baseUrl() + "/s/ent_dataservices_sdk")).isTrue();
    assertThat(claims.getExpirationTime().toInstant())
        .isBetween(Instant.now().plus(Duration.ofMinutes(50)), Instant.now().plus(Duration.ofHours(24)));
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH)).withHeader("Authorization", equalTo("Bearer jwt-token")));
  }

  @Test
  void token_isSentAsIs() {
    AepStreamingClient client = build(builder().auth(AepAuth.token("fixed-token")));

    value(client.send(message(1)));
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH)).withHeader("Authorization", equalTo("Bearer fixed-token")));
  }

  @Test
  void refreshesAheadOfExpiry_whileTheValidTokenKeepsServing() {
    // expires_in 4 s: the cache refreshes at half the lifetime, 2 s in; every request meanwhile uses tok-1.
    String scenario = UUID.randomUUID().toString();
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3")).inScenario(scenario).whenScenarioStateIs(STARTED)
        .willReturn(okJson("{\"access_token\":\"tok-1\",\"expires_in\":4}")).willSetStateTo("second"));
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3")).inScenario(scenario).whenScenarioStateIs("second")
        .willReturn(okJson("{\"access_token\":\"tok-2\",\"expires_in\":3600}")));
    AepStreamingClient client = build(builder().auth(AepAuth.oauth("client-1", SECRET, ORG)));

    Instant start = Instant.now();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      value(client.send(message(1)));
      return wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH)).withHeader("Authorization",
          equalTo("Bearer tok-2"))).size() > 0;
    });
    List<LoggedRequest> ims = wm.findAll(postRequestedFor(urlPathEqualTo("/ims/token/v3")));
    assertThat(ims).hasSize(2);
    assertThat(Duration.between(start, ims.get(1).getLoggedDate().toInstant()))
        .isBetween(Duration.ofMillis(1500), Duration.ofMillis(3900));
    assertThat(wm.getAllServeEvents()).noneSatisfy(e -> assertThat(e.getResponse().getStatus()).isIn(401, 403));
  }

  @Test
  void imsRefusal_failsFastWithImsErrorTextAndNoSecret() {
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3")).willReturn(aResponse().withStatus(400).withBody(
        "{\"error\":\"invalid_client\",\"error_description\":\"invalid client_secret parameter " + SECRET + "\"}")));
    AepStreamingClient client = build(builder().auth(AepAuth.oauth("client-1", SECRET, ORG)));

    AepDeliveryException e = (AepDeliveryException) failure(client.send(message(1)));
    assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
    assertThat(e.lastStatusCode()).hasValue(400);
    assertThat(e.getMessage()).contains("invalid_client").contains("invalid client_secret parameter")
        .doesNotContain(SECRET);
    assertThat(e.getCause()).isInstanceOf(ImsAuthException.class);
    wm.verify(exactly(1), postRequestedFor(urlPathEqualTo("/ims/token/v3")));
    wm.verify(exactly(0), postRequestedFor(urlPathEqualTo(BATCH_PATH)));
  }

  @Test
  void imsServerError_isRetried() {
    String scenario = UUID.randomUUID().toString();
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3")).inScenario(scenario).whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
    wm.stubFor(post(urlPathEqualTo("/ims/token/v3")).inScenario(scenario).whenScenarioStateIs("up")
        .willReturn(okJson("{\"access_token\":\"tok\",\"expires_in\":3600}")));
    AepStreamingClient client = build(builder().auth(AepAuth.oauth("client-1", SECRET, ORG)));

    value(client.send(message(1)));
    wm.verify(exactly(2), postRequestedFor(urlPathEqualTo("/ims/token/v3")));
  }

  @Test
  void sandboxFlowIdAndUserHeaders_areSent() {
    AepStreamingClient client = build(builder().sandbox("dev-1").sandboxHeader("x-sandbox-id")
        .flowId("flow-9").orgId("OTHER@AdobeOrg").apiKey("key-7").header("x-custom", "v"));

    value(client.send(message(1)));
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH))
        .withHeader("x-sandbox-id", equalTo("dev-1"))
        .withHeader("x-adobe-flow-id", equalTo("flow-9"))
        .withHeader("x-gw-ims-org-id", equalTo("OTHER@AdobeOrg"))
        .withHeader("x-api-key", equalTo("key-7"))
        .withHeader("x-custom", equalTo("v"))
        .withoutHeader("Authorization"));
  }

  @Test
  void toStringNeverShowsSecrets() throws Exception {
    String pem = TestKeys.pkcs8Pem(TestKeys.rsa());
    List<Object> things = List.of(AepAuth.oauth("client-1", SECRET, ORG), AepAuth.token("tok-secret"),
        AepAuth.jwt("client-1", SECRET, ORG, "TECH", PrivateKeySource.fromPem(pem)), PrivateKeySource.fromPem(pem),
        new dev.aepclient.auth.AccessToken("tok-secret", Instant.now()),
        builder().auth(AepAuth.oauth("client-1", SECRET, ORG)).proxy("proxy.local", 3128)
            .proxyCredentials("user", "proxy-pass").build());
    for (Object thing : things) {
      assertThat(thing.toString()).doesNotContain(SECRET, "tok-secret", "proxy-pass", "MII");
    }
    ((AepStreamingClient) things.get(things.size() - 1)).close();
  }
}
