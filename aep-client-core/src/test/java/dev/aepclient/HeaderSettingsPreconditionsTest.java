package dev.aepclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aepclient.auth.AccessToken;
import dev.aepclient.support.Futures;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review of the builder's preconditions: the settings sent as request headers (sandbox, its header name, org id,
 * API key, flow id) fail fast at their setter, naming the setting and its key, when HTTP headers cannot carry them;
 * before, {@code build()} failed later with OkHttp's message, which named neither and echoed the value.
 */
class HeaderSettingsPreconditionsTest {
  private static final String VALUE = "secret-ish\r\nX-Injected: 1";

  private static void refusedNamingTheSetting(Function<AepStreamingClientBuilder, AepStreamingClientBuilder> set,
      String setting, String key) {
    assertThatThrownBy(() -> set.apply(AepStreamingClient.builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting).hasMessageContaining(key).hasMessageNotContaining("secret-ish");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sandbox", "orgId", "apiKey", "flowId"})
  void headerValueSettingWithAControlCharacter_failsAtTheSetterNamingItWithoutShowingTheValue(String setting) {
    switch (setting) {
      case "sandbox" -> refusedNamingTheSetting(b -> b.sandbox(VALUE), "sandbox", "aep.sandbox");
      case "orgId" -> refusedNamingTheSetting(b -> b.orgId(VALUE), "orgId", "aep.org.id");
      case "apiKey" -> refusedNamingTheSetting(b -> b.apiKey(VALUE), "apiKey", "aep.api.key");
      default -> refusedNamingTheSetting(b -> b.flowId(VALUE), "flowId", "aep.flow.id");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"x sandbox", "x-sändbox", "x\tsandbox"})
  void sandboxHeaderNameThatIsNoHeaderName_failsAtTheSetterNamingIt(String name) {
    assertThatThrownBy(() -> AepStreamingClient.builder().sandboxHeader(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sandboxHeader").hasMessageContaining("aep.sandbox.header");
  }

  @ParameterizedTest
  @ValueSource(strings = {"prod\u00e9", "pr\u0000od"})
  void sandboxThatIsNotHeaderText_failsAtTheSetter(String sandbox) {
    assertThatThrownBy(() -> AepStreamingClient.builder().sandbox(sandbox))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sandbox (aep.sandbox)");
  }

  @Test
  void fixedTokenWithAControlCharacter_failsAtAepAuthTokenWithoutShowingIt() {
    // Before: accepted, then every attempt failed locally building the Authorization header, until the delivery
    // timeout (33 local attempts, no request sent, in a 3 s probe), reported as DELIVERY_TIMEOUT.
    assertThatThrownBy(() -> AepAuth.token("tok-secret\r\nX-Injected: 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("access token").hasMessageContaining("aep.auth.token")
        .hasMessageNotContaining("tok-secret");
  }

  @Test
  void providerTokenThatNoHeaderCanCarry_failsTheMessageAsAuthenticationAtOnce() {
    AepStreamingClient client = AepStreamingClient.builder().inletUrl("http://127.0.0.1:9/collection/inlet-1")
        .auth(AepAuth.provider(() -> new AccessToken("tok-secret\nX-Injected: 1", Instant.MAX)))
        .linger(Duration.ZERO).deliveryTimeout(Duration.ofSeconds(30)).build();
    try {
      long before = System.nanoTime();
      AepDeliveryException e = (AepDeliveryException) Futures.failure(client.send(AepMessage.of("{\"id\":\"1\"}")));
      assertThat(e.reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
      assertThat(e.getMessage()).contains("access token").doesNotContain("tok-secret");
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
      assertThat(client.metrics().requests()).isZero(); // nothing went out with a broken header
    } finally {
      client.close(Duration.ofSeconds(2));
    }
  }
}
