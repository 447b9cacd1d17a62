package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aepclient.AepAuth;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets and remote text in messages: IMS error texts are masked before they are cut (a secret straddling the
 * cut keeps none of its characters), escaped and bounded; an invalid custom header value is never echoed; a user
 * name and password in the inlet or IMS URL are refused without being shown.
 */
@Tag("security")
class SecretTextSecurityTest {
  /** Distinctive from its first characters on, so a surviving prefix is found. */
  private static final String SECRET = "Zq9xStraddle-S3cret-Value-0123456789";

  private static Throwable failureWithImsAnswer(int status, String contentType, String body) throws Exception {
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer ims = new HostileHttpServer(exchange -> HostileHttpServer.send(exchange, status, contentType,
            body.getBytes(StandardCharsets.UTF_8)));
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
            .auth(AepAuth.oauth("cid", SECRET, "ORG@AdobeOrg")).deliveryTimeout(Duration.ofSeconds(10)).build()) {
      return client.send(AepMessage.of("{\"id\":\"x\"}")).handle((d, t) -> t).get(20, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {150, 160, 170, 250, 265}) // the secret straddles the old cut (200) or the new bound (300)
  void aSecretStraddlingTheCutOfAnImsErrorText_keepsNoneOfItsCharacters(int fillerLength) throws Exception {
    String text = "x".repeat(fillerLength) + " invalid client_secret " + SECRET + " " + "y".repeat(400);
    Throwable plain = failureWithImsAnswer(401, "text/plain", text);
    Throwable json = failureWithImsAnswer(401, "application/json",
        "{\"error\":\"invalid_client\",\"error_description\":\"" + text + "\"}");
    for (Throwable e : new Throwable[] {plain, json}) {
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("IMS refused");
      assertThat(e.getMessage()).doesNotContain(SECRET.substring(0, 4)).doesNotContain(SECRET.substring(10, 14));
      assertThat(e.getMessage().length()).as("bounded").isLessThan(800);
    }
  }

  @Test
  void theFormEncodedSecretEchoedByIms_isMaskedToo() throws Exception {
    String withSpecials = SECRET + "+/=&";
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer ims = new HostileHttpServer(exchange -> HostileHttpServer.send(exchange, 400, "text/plain",
            ("bad form: " + exchange.getAttribute(HostileHttpServer.BODY))
                .getBytes(StandardCharsets.UTF_8)));
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
            .auth(AepAuth.oauth("cid", withSpecials, "ORG@AdobeOrg")).build()) {
      Throwable e = client.send(AepMessage.of("{\"id\":\"x\"}")).handle((d, t) -> t).get(20, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("IMS refused");
      assertThat(e.getMessage()).doesNotContain(SECRET.substring(0, 8)).contains("client_secret=****");
    }
  }

  @Test
  void controlCharactersInAnImsErrorText_areEscaped() throws Exception {
    Throwable e = failureWithImsAnswer(400, "application/json",
        "{\"error\":\"invalid_scope\\nFAKE LOG LINE\",\"error_description\":\"bad\\u001b[31m scope\\r\\nINFO forged\"}");
    assertThat(e).isInstanceOf(AepDeliveryException.class);
    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u001b")
        .contains("invalid_scope\\nFAKE LOG LINE").contains("\\u001b[31m");
  }

  @Test
  void anInvalidCustomHeaderValue_isNeverEchoed() {
    String value = "gw-SECRET-123";
    assertThatThrownBy(() -> AepStreamingClient.builder().inletUrl("https://dcs.adobedc.net/collection/x")
        .header("x-gateway-key", value + "\r\nX-Injected: 1").build().close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x-gateway-key")
        .hasMessageContaining("a control character").hasMessageNotContaining(value);
    assertThatThrownBy(() -> AepStreamingClient.builder().inletUrl("https://dcs.adobedc.net/collection/x")
        .header("x-gateway-key", value + "é").build().close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not ASCII").hasMessageNotContaining(value);

    Properties properties = new Properties();
    properties.setProperty("aep.inlet.url", "https://dcs.adobedc.net/collection/x");
    properties.setProperty("aep.headers", "{\"x-gateway-key\":\"" + value + "\\u0000\"}");
    assertThatThrownBy(() -> AepStreamingClient.fromProperties(properties).close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aep.headers")
        .hasMessageNotContaining(value);
  }

  @Test
  void userInfoInTheInletOrImsUrl_isRefusedWithoutBeingShown() {
    assertThatThrownBy(() -> AepStreamingClient.builder()
        .inletUrl("https://someone:pa55-w0rd@dcs.adobedc.net/collection/x").build().close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inletUrl (aep.inlet.url)")
        .hasMessageContaining("user name or password").hasMessageNotContaining("pa55-w0rd")
        .hasMessageNotContaining("someone");
    assertThatThrownBy(() -> AepStreamingClient.builder().inletUrl("https://dcs.adobedc.net/collection/x")
        .imsUrl("https://someone:pa55-w0rd@ims-na1.adobelogin.com").auth(AepAuth.oauth("cid", "s", "ORG@AdobeOrg"))
        .build().close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imsUrl (aep.ims.url)")
        .hasMessageNotContaining("pa55-w0rd").hasMessageNotContaining("someone");
    assertThatThrownBy(() -> AepStreamingClient.builder().inletUrl("htps://someone:pa55-w0rd@dcs/collection/x")
        .build().close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an http(s) URL")
        .hasMessageNotContaining("pa55-w0rd");
    Properties properties = new Properties();
    properties.setProperty("aep.inlet.url", "https://someone:pa55-w0rd@dcs.adobedc.net/collection/x");
    assertThatThrownBy(() -> AepStreamingClient.fromProperties(properties).close())
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pa55-w0rd");
  }
}
