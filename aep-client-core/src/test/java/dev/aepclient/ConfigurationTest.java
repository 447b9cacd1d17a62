package dev.aepclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aepclient.auth.PrivateKeySource;
import dev.aepclient.internal.config.ClientConfig;
import dev.aepclient.internal.config.PropertiesConfig;
import dev.aepclient.support.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration fails in the builder or in build(), with a message that names the setting and the fix. */
class ConfigurationTest {
  private static final String INLET = "https://dcs.adobedc.net/collection/abc123";

  private static void assertRefused(Consumer<AepStreamingClientBuilder> configure, String... expected) {
    assertThatThrownBy(() -> {
      AepStreamingClientBuilder builder = AepStreamingClient.builder().inletUrl(INLET);
      configure.accept(builder);
      builder.build().close();
    }).isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll(expected);
  }

  private static ClientConfig config(Properties properties) {
    return AepStreamingClientBuilderAccess.config(PropertiesConfig.builderFrom(properties));
  }

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void missingInletUrl() {
    assertThatThrownBy(() -> AepStreamingClient.builder().build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("inletUrl (aep.inlet.url) is not set", "/collection/{INLET_ID}");
  }

  @Test
  void inletUrlOfTheWrongShape() {
    assertRefused(b -> b.inletUrl("https://dcs.adobedc.net/somewhere/else"), "must end in /collection/{INLET_ID}");
    assertRefused(b -> b.inletUrl("ftp://x/collection/a"), "is not an http(s) URL");
  }

  @Test
  void plainHttpToARemoteHost_needsAllowInsecureHttp() {
    assertRefused(b -> b.inletUrl("http://dcs.adobedc.net/collection/a"), "plain http", "aep.allow.insecure.http");
    assertRefused(b -> b.imsUrl("http://ims.example.com").auth(AepAuth.oauth("c", "s", "o")),
        "imsUrl (aep.ims.url) uses plain http");
    AepStreamingClient.builder().inletUrl("http://127.0.0.1:1/collection/a").build().close();
    AepStreamingClient.builder().inletUrl("http://[::1]:1/collection/a").build().close();
    AepStreamingClient.builder().inletUrl("http://dcs.internal/collection/a").allowInsecureHttp(true).build().close();
  }

  @Test
  void sizesOutOfRange() {
    assertRefused(b -> b.maxBatchRecords(0), "maxBatchRecords (aep.batch.max.records) must be between 1 and");
    assertRefused(b -> b.maxInFlightRequests(0), "maxInFlightRequests (aep.max.in.flight)");
    assertRefused(b -> b.maxBufferedBytes(10), "maxBufferedBytes (aep.buffer.max.bytes)");
    assertRefused(b -> b.linger(Duration.ofMinutes(5)), "linger (aep.linger.ms)");
    assertRefused(b -> b.deliveryTimeout(Duration.ZERO), "deliveryTimeout (aep.delivery.timeout.ms)");
    assertRefused(b -> b.maxRequestsPerSecond(0), "maxRequestsPerSecond (aep.rate.limit.rps)");
    assertRefused(b -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "max back-off");
  }

  @Test
  void batchBytesAboveTheRequestLimit() {
    assertRefused(b -> b.maxBatchBytes(1_000_001), "maxBatchBytes (aep.batch.max.bytes) is 1000001",
        "above the request limit", "413");
  }

  @Test
  void bufferSmallerThanOneRequest() {
    assertRefused(b -> b.maxBufferedBytes(500_000), "maxBufferedBytes (aep.buffer.max.bytes) is 500000",
        "at least one full request");
  }

  @Test
  void unreadableJwtKey(@TempDir Path dir) throws Exception {
    assertRefused(b -> b.auth(AepAuth.jwt("c", "s", "o", "t", PrivateKeySource.fromFile(dir.resolve("missing.pem")))),
        "JWT private key unreadable", "missing.pem");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertRefused(b -> b.auth(AepAuth.jwt("c", "s", "o", "t", PrivateKeySource.fromFile(garbage))),
        "is not an unencrypted RSA key", "openssl pkcs8");
  }

  @Test
  void jwtKeyFromPemPkcs1AndDerFiles(@TempDir Path dir) throws Exception {
    var keys = TestKeys.rsa();
    Path der = Files.write(dir.resolve("key.der"), keys.getPrivate().getEncoded());
    Path pem = Files.writeString(dir.resolve("key.pem"), TestKeys.pkcs8Pem(keys));
    assertThat(PrivateKeySource.fromFile(der).load()).isEqualTo(keys.getPrivate());
    assertThat(PrivateKeySource.fromFile(pem).load()).isEqualTo(keys.getPrivate());
    assertThat(PrivateKeySource.fromDer(keys.getPrivate().getEncoded()).load()).isEqualTo(keys.getPrivate());
    // PKCS#1 ("BEGIN RSA PRIVATE KEY", what openssl genrsa wrote for years): the octet string inside PKCS#8,
    // which for a 2048-bit key starts after a 26-byte PrivateKeyInfo prefix.
    byte[] pkcs8 = keys.getPrivate().getEncoded();
    byte[] pkcs1 = java.util.Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
    assertThat(pkcs1[0]).isEqualTo((byte) 0x30);
    String pkcs1Pem = "-----BEGIN RSA PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(pkcs1)
        + "\n-----END RSA PRIVATE KEY-----\n";
    assertThat(PrivateKeySource.fromPem(pkcs1Pem).load()).isEqualTo(keys.getPrivate());
  }

  @Test
  void reservedHeadersCannotBeOverridden() {
    assertRefused(b -> b.header("Authorization", "x"), "header Authorization is set by the client");
  }

  @Test
  void blankCredentials() {
    assertThatThrownBy(() -> AepAuth.oauth("c", " ", "o")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client secret must not be empty");
    assertThatThrownBy(() -> AepAuth.oauth("c", "s", "o").scopes(java.util.List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scopes");
  }

  @Test
  void properties_ourKeys() {
    ClientConfig c = config(props("aep.inlet.url", INLET, "aep.auth.client.id", "cid",
        "aep.auth.client.secret", "sec", "aep.org.id", "ORG@AdobeOrg", "aep.auth.scopes", "openid, AdobeID",
        "aep.sandbox", "dev", "aep.batch.max.records", "100", "aep.linger.ms", "50", "aep.max.in.flight", "4",
        "aep.buffer.full.policy", "fail", "aep.gzip", "true", "aep.headers", "{\"x-a\":\"1\"}",
        "aep.retry.backoff.ms", "200", "connector.class", "ignored.Because.NotAep"));
    assertThat(c.endpoint().batchUrl().toString()).isEqualTo("https://dcs.adobedc.net/collection/batch/abc123");
    assertThat(c.auth()).isInstanceOfSatisfying(AepAuth.OAuth.class, a -> {
      assertThat(a.clientId()).hasValue("cid");
      assertThat(a.scopes()).containsExactly("openid", "AdobeID");
    });
    assertThat(c.orgId()).isEqualTo("ORG@AdobeOrg");
    assertThat(c.apiKey()).isEqualTo("cid");
    assertThat(c.sandbox()).isEqualTo("dev");
    assertThat(c.maxBatchRecords()).isEqualTo(100);
    assertThat(c.linger()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.maxInFlightRequests()).isEqualTo(4);
    assertThat(c.bufferFullPolicy()).isEqualTo(BufferFullPolicy.FAIL);
    assertThat(c.gzip()).isTrue();
    assertThat(c.headers()).containsExactly(Map.entry("x-a", "1"));
    assertThat(c.initialBackoff()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void properties_theAdobeConnectorsKeysWorkUnchanged(@TempDir Path dir) throws Exception {
    Path key = Files.write(dir.resolve("secret.key"), TestKeys.rsa().getPrivate().getEncoded());
    ClientConfig c = config(props(
        "connector.class", "com.adobe.platform.streaming.sink.impl.AEPSinkConnector",
        "topics", "events",
        "aep.endpoint", INLET,
        "aep.flush.interval.seconds", "1",
        "aep.flush.bytes.kb", "4",
        "aep.connection.maxRetries", "3",
        "aep.connection.retryBackoff", "300",
        "aep.connection.timeout", "5000",
        "aep.connection.readTimeout", "60000",
        "aep.connection.auth.enabled", "true",
        "aep.connection.auth.token.type", "jwt_token",
        "aep.connection.auth.client.id", "cid",
        "aep.connection.auth.client.secret", "sec",
        "aep.connection.auth.endpoint", "https://ims-na1-stg1.adobelogin.com",
        "aep.connection.auth.imsOrg", "ORG@AdobeOrg",
        "aep.connection.auth.accountKey", "TECH@techacct.adobe.com",
        "aep.connection.auth.filePath", key.toString(),
        "aep.connection.endpoint.headers", "{\"x-adobe-flow-id\":\"flow-1\"}"));
    assertThat(c.endpoint().inletId()).isEqualTo("abc123");
    assertThat(c.linger()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.maxBatchBytes()).isEqualTo(4096);
    assertThat(c.initialBackoff()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.imsUrl().host()).isEqualTo("ims-na1-stg1.adobelogin.com");
    assertThat(c.auth()).isInstanceOfSatisfying(AepAuth.Jwt.class, a -> {
      assertThat(a.technicalAccountId()).isEqualTo("TECH@techacct.adobe.com");
      assertThat(a.orgId()).hasValue("ORG@AdobeOrg");
    });
    assertThat(c.headers()).containsEntry("x-adobe-flow-id", "flow-1");
  }

  @Test
  void properties_connectorOAuthAndDisabledAuth() {
    assertThat(config(props("aep.endpoint", INLET, "aep.connection.auth.token.type", "oauth2_access_token",
        "aep.connection.auth.client.id", "c", "aep.connection.auth.client.secret", "s",
        "aep.connection.auth.imsOrg", "o")).auth()).isInstanceOf(AepAuth.OAuth.class);
    assertThat(config(props("aep.endpoint", INLET, "aep.connection.auth.enabled", "false")).auth())
        .isInstanceOf(AepAuth.None.class);
  }

  @Test
  void properties_errorsNameTheKey() {
    assertThatThrownBy(() -> config(props("aep.inlet.url", INLET, "aep.batch.max.recrods", "5")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown setting aep.batch.max.recrods");
    assertThatThrownBy(() -> config(props("aep.inlet.url", INLET, "aep.linger.ms", "soon")))
        .hasMessageContaining("aep.linger.ms must be a whole number, got 'soon'");
    assertThatThrownBy(() -> config(props("aep.inlet.url", INLET, "aep.flush.bytes.kb", "2000")))
        .hasMessageContaining("aep.batch.max.bytes").hasMessageContaining("above the request limit");
    assertThatThrownBy(() -> config(props("aep.inlet.url", INLET, "aep.auth.type", "oauth",
        "aep.auth.client.id", "c"))).hasMessageContaining("aep.auth.client.secret is not set");
    assertThatThrownBy(() -> config(props("aep.endpoint", INLET, "aep.inlet.url", "https://x/collection/other")))
        .hasMessageContaining("both set");
    assertThatThrownBy(() -> config(props("aep.endpoint", INLET, "aep.connection.auth.token.type", "access_token")))
        .hasMessageContaining("oauth2_access_token");
    assertThatThrownBy(() -> config(props("aep.inlet.url", INLET, "aep.gzip", "yes")))
        .hasMessageContaining("aep.gzip must be true or false");
  }

  @Test
  void environmentVariables() {
    Properties p = PropertiesConfig.fromEnvironment(Map.of("AEP_INLET_URL", INLET, "AEP_CLIENT_ID", "cid",
        "AEP_CLIENT_SECRET", "sec", "AEP_ORG_ID", "ORG@AdobeOrg", "AEP_SANDBOX", "prod",
        "AEP_SCOPES", "openid", "AEP_BATCH_MAX_RECORDS", "42", "AEP_UNRELATED", "x", "PATH", "/bin"));
    ClientConfig c = config(p);
    assertThat(c.auth()).isInstanceOfSatisfying(AepAuth.OAuth.class, a -> assertThat(a.scopes())
        .containsExactly("openid"));
    assertThat(c.sandbox()).isEqualTo("prod");
    assertThat(c.maxBatchRecords()).isEqualTo(42);
  }
}
