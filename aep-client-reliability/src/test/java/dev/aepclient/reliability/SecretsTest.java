package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepAuth;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.PrivateKeySource;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every auth path, run with this library logging at TRACE (see simplelogger.properties) and its log captured: the
 * client secret, the private key, the JWT and the access tokens never appear in a log line, an exception message or
 * a {@code toString}.
 */
@Tag("reliability")
class SecretsTest {
  private static final String SECRET = "Sup3r-S3cret&Value+/=";
  private static final String FIXED_TOKEN = "fixed-token-0123456789abcdef";
  /** Tokens the simulator issues: "sim-" and 32 URL-safe base64 characters. */
  private static final Pattern SIM_TOKEN = Pattern.compile("sim-[A-Za-z0-9_-]{32}");
  /** A JWT's header always starts with the base64 of {"… : "eyJ". */
  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{10,}\\.eyJ");

  private final List<String> exceptionTexts = new ArrayList<>();
  private final List<String> toStrings = new ArrayList<>();

  @Test
  void noSecretReachesALogAnExceptionOrAToString() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    String keyMaterial = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()).substring(40, 80);

    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").oauthCredential("cid", SECRET)
        .jwtCredential("jwt-client", SECRET, "ORG@AdobeOrg", "TECH@techacct.adobe.com", keys.getPublic())
        .tokenLifetime(Duration.ofSeconds(2)).start()) {
      // OAuth: fetch, refresh after a 401, after expiry, and ahead of expiry (2-second tokens).
      run(aep, AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg"), a -> a.enqueueFaults(Fault.status(401)), 10);
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
          .auth(AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg")).linger(Duration.ofMillis(1)).build()) {
        long before = aep.tokensIssued();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
          client.send(AepMessage.of("{\"refresh\":true}")).get(10, TimeUnit.SECONDS);
          return aep.tokensIssued() >= before + 3;
        });
      }
      run(aep, AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg"), AepSimulator::expireTokensNow, 5);
      // OAuth refused: IMS echoing the secret back in its error must not carry it further.
      run(aep, AepAuth.oauth("cid", "wrong-" + SECRET, "ORG@AdobeOrg"), a -> { }, 1);
      // JWT: signing, exchange, refresh; then a JWT IMS refuses.
      run(aep, AepAuth.jwt("jwt-client", SECRET, "ORG@AdobeOrg", "TECH@techacct.adobe.com",
          PrivateKeySource.fromPem(pem)), a -> a.enqueueFaults(Fault.expireTokens()), 10);
      run(aep, AepAuth.jwt("jwt-client", SECRET, "ORG@AdobeOrg", "someone-else",
          PrivateKeySource.fromPem(pem)), a -> { }, 1);
      // A fixed token that AEP refuses; a provider's token.
      run(aep, AepAuth.token(FIXED_TOKEN), a -> { }, 1);
      run(aep, AepAuth.provider(() -> new AccessToken(FIXED_TOKEN, Instant.now().plusSeconds(60))), a -> { }, 1);
      // Proxy credentials are secrets too.
      try (AepStreamingClient proxied = AepStreamingClient.builder().inletUrl(aep.inletUrl()).proxy("127.0.0.1", 9)
          .proxyCredentials("proxy-user", SECRET).deliveryTimeout(Duration.ofSeconds(1)).build()) {
        toStrings.add(proxied.toString());
        exceptionTexts.add(proxied.send(AepMessage.of("{}")).handle((d, e) -> String.valueOf(e)).get(30,
            TimeUnit.SECONDS));
      }
      toStrings.add(AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg").toString());
      toStrings.add(AepAuth.jwt("c", SECRET, "o", "t", PrivateKeySource.fromPem(pem)).toString());
      toStrings.add(PrivateKeySource.fromPem(pem).toString());
      toStrings.add(AepAuth.token(FIXED_TOKEN).toString());
      toStrings.add(new AccessToken(FIXED_TOKEN, Instant.now()).toString());
    } finally {
      System.setErr(originalErr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    originalErr.println(log); // keep it in the test output for whoever reads it

    assertThat(log).as("the capture worked: TRACE/DEBUG lines of the client are in it")
        .contains("DEBUG dev.aepclient").contains("fetched OAuth access token");
    for (String text : List.of(log, String.join("\n", exceptionTexts), String.join("\n", toStrings))) {
      assertThat(text).doesNotContain(SECRET, FIXED_TOKEN, keyMaterial, "BEGIN PRIVATE KEY", "Bearer ");
      assertThat(SIM_TOKEN.matcher(text).find()).as("an access token leaked").isFalse();
      assertThat(JWT.matcher(text).find()).as("a JWT leaked").isFalse();
    }
    assertThat(exceptionTexts).anyMatch(t -> t.contains("invalid_client"))
        .anyMatch(t -> t.contains("invalid_token")).anyMatch(t -> t.contains("cannot be refreshed"));
  }

  /** Builds a client with {@code auth}, steers the simulator, sends {@code messages}, keeps what can be seen. */
  private void run(AepSimulator aep, AepAuth auth, java.util.function.Consumer<AepSimulator> steer, int messages)
      throws Exception {
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
        .auth(auth).deliveryTimeout(Duration.ofSeconds(5)).linger(Duration.ofMillis(1)).build()) {
      toStrings.add(client.toString());
      for (int i = 0; i < messages; i++) {
        if (i == messages / 2) {
          steer.accept(aep);
        }
        Throwable e = client.send(AepMessage.of("{\"n\":" + i + "}")).handle((d, t) -> t).get(30, TimeUnit.SECONDS);
        if (e != null) {
          exceptionTexts.add(e.toString());
          for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            exceptionTexts.add(c.toString());
          }
        }
      }
      toStrings.add(client.metrics().toString());
    }
  }
}
