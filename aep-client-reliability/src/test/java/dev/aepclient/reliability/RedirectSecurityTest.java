package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepAuth;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.auth.PrivateKeySource;
import dev.aepclient.testkit.AepSimulator;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redirects are never followed: a 3xx from IMS would re-send the form with {@code client_secret} or
 * {@code jwt_token} to the {@code Location} host, and a 3xx from DCS would re-send the batch with the API key, org,
 * sandbox and custom headers (and count a 2xx there as delivered). The host a redirect points to receives nothing,
 * even with a user-supplied OkHttpClient that follows redirects; a 3xx from IMS fails fast as an authentication
 * error naming the (escaped, bounded, secret-masked) {@code Location}.
 */
@Tag("security")
class RedirectSecurityTest {
  private static final String SECRET = "Redirect-S3cret+/=";

  /** The host a redirect points to: would hand out a token and accept a batch, if anything got there. */
  private static HostileHttpServer elsewhere() {
    return new HostileHttpServer(exchange -> HostileHttpServer.send(exchange, 200, "application/json",
        ("{\"access_token\":\"stolen\",\"token_type\":\"bearer\",\"expires_in\":86399,"
            + "\"responses\":[{\"xactionId\":\"x\"}]}").getBytes(StandardCharsets.UTF_8)));
  }

  private static HostileHttpServer redirectingTo(int status, String location) {
    return new HostileHttpServer(exchange -> {
      exchange.getResponseHeaders().set("Location", location);
      HostileHttpServer.send(exchange, status, null, new byte[0]);
    });
  }

  private static Throwable sendOnce(AepStreamingClientBuilder builder) throws Exception {
    try (AepStreamingClient client = builder.deliveryTimeout(Duration.ofSeconds(10)).build()) {
      return client.send(AepMessage.of("{\"id\":\"redirected\"}")).handle((d, t) -> t).get(20, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void imsRedirect_oauth_failsFastNamingTheLocation_andTheOtherHostReceivesNothing(int status) throws Exception {
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer other = elsewhere();
        HostileHttpServer ims = redirectingTo(status, other.baseUrl() + "/ims/token/v3")) {
      long start = System.nanoTime();
      Throwable e = sendOnce(AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
          .auth(AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg")));

      assertThat(other.received).as("nothing reached the redirect target").isEmpty();
      assertThat(ims.received).as("the form went to IMS once: a redirect is not retried").hasSize(1);
      assertThat(e).isInstanceOf(AepDeliveryException.class)
          .hasMessageContaining("answered " + status + " redirecting to " + other.baseUrl() + "/ims/token/v3")
          .hasMessageContaining("aep.ims.url").hasMessageNotContaining(SECRET);
      assertThat(((AepDeliveryException) e).reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails fast").isLessThan(Duration.ofSeconds(5));
      assertThat(aep.requests()).as("no batch was sent without a token").isEmpty();
    }
  }

  @Test
  void imsRedirect_jwt_theSignedJwtAndSecretStayHome() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(
        generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer other = elsewhere();
        HostileHttpServer ims = redirectingTo(307, other.baseUrl() + "/ims/exchange/jwt")) {
      Throwable e = sendOnce(AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
          .auth(AepAuth.jwt("jwt-client", SECRET, "ORG@AdobeOrg", "TECH@techacct.adobe.com",
              PrivateKeySource.fromPem(pem))));
      assertThat(other.received).isEmpty();
      assertThat(ims.received).hasSize(1).allSatisfy(r -> assertThat(r.body()).contains("jwt_token="));
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("redirecting to")
          .hasMessageNotContaining(SECRET).hasMessageNotContaining("eyJ");
      assertThat(((AepDeliveryException) e).reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
    }
  }

  @Test
  void aUserSuppliedClientThatFollowsRedirects_stillDoesNot_evenFromHttpToAnotherScheme() throws Exception {
    OkHttpClient following = new OkHttpClient.Builder().followRedirects(true).followSslRedirects(true).build();
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer other = elsewhere();
        HostileHttpServer ims = redirectingTo(308, other.baseUrl() + "/ims/token/v3")) {
      Throwable e = sendOnce(AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
          .httpClient(following).auth(AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg")));
      assertThat(other.received).isEmpty();
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("redirecting to");
    }
  }

  @Test
  void theLocationIsEscapedBoundedAndMasked() throws Exception {
    String location = "http://127.0.0.1:9/\u001b[2J?client_secret=" + SECRET + "&pad=" + "p".repeat(3000);
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer ims = redirectingTo(307, location)) {
      Throwable e = sendOnce(AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
          .auth(AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg")));
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("\\u001b[2J")
          .hasMessageNotContaining("\u001b").hasMessageNotContaining(SECRET);
      assertThat(e.getMessage().length()).as("bounded").isLessThan(1000);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {302, 307, 308})
  void dcsRedirect_theBatchIsNotResentElsewhere_norCountedDelivered(int status) throws Exception {
    try (HostileHttpServer other = elsewhere();
        HostileHttpServer dcs = redirectingTo(status, other.baseUrl() + "/collection/batch/inlet-1")) {
      OkHttpClient following = new OkHttpClient.Builder().followRedirects(true).followSslRedirects(true).build();
      Throwable e = sendOnce(AepStreamingClient.builder().inletUrl(dcs.baseUrl() + "/collection/inlet-1")
          .apiKey("api-key-value").httpClient(following).header("x-gateway-key", "gateway-value"));
      assertThat(other.received).as("neither the batch nor its headers reached the redirect target").isEmpty();
      assertThat(dcs.received).isNotEmpty();
      assertThat(e).as("a redirect is not a delivery").isInstanceOf(AepDeliveryException.class);
    }
  }
}
