package dev.aepclient.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepClientVersion;
import org.junit.jupiter.api.Test;

/** How our product token joins a User-Agent the application set; the requests themselves: UserAgentTest. */
class UserAgentInterceptorTest {
  private static final String PRODUCT = "aep-client/" + AepClientVersion.get();

  @Test
  void noOrBlankAgent_becomesOurs() {
    assertThat(UserAgentInterceptor.PRODUCT).isEqualTo(PRODUCT);
    assertThat(UserAgentInterceptor.userAgent(null)).isEqualTo(PRODUCT);
    assertThat(UserAgentInterceptor.userAgent("  ")).isEqualTo(PRODUCT);
  }

  @Test
  void applicationsAgent_keepsItsPlaceInFront() {
    assertThat(UserAgentInterceptor.userAgent(" my-app/2.0 (linux) ")).isEqualTo("my-app/2.0 (linux) " + PRODUCT);
  }

  @Test
  void agentNamingUsAlready_isNotRepeated() {
    String once = UserAgentInterceptor.userAgent("my-app/2.0");
    assertThat(UserAgentInterceptor.userAgent(once)).isEqualTo(once);
  }
}
