package dev.aepclient.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.Delivery;
import dev.aepclient.testkit.AepSimulator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** The sample application as shipped (its application.yml, OAuth included), against the simulator's DCS and IMS. */
class OrdersToAepApplicationTest {

  @Test
  void checkoutEventsReachAepWithTheYamlSettings() throws Exception {
    try (AepSimulator aep = AepSimulator.builder()
        .authenticatedInlet(AepSimulator.DEFAULT_INLET)
        .oauthCredential("example-client", "example-secret")
        .requireOrgId("EXAMPLE@AdobeOrg")
        .requireSandbox("dev")
        .start()) {
      SpringApplication application = new SpringApplication(OrdersToAepApplication.class);
      application.setWebApplicationType(WebApplicationType.NONE);
      try (ConfigurableApplicationContext context = application.run(
          "--AEP_INLET_URL=" + aep.inletUrl(),
          "--AEP_CLIENT_ID=example-client",
          "--AEP_CLIENT_SECRET=example-secret",
          "--AEP_ORG_ID=EXAMPLE@AdobeOrg",
          "--AEP_SANDBOX=dev",
          "--aep.ims.url=" + aep.imsUrl())) {
        Delivery delivery = context.getBean(CheckoutEvents.class).checkedOut("o-1", 4_200)
            .get(20, TimeUnit.SECONDS);
        assertThat(delivery.xactionId()).isNotBlank();
        assertThat(aep.acceptedCount()).isEqualTo(1);
        assertThat(aep.tokensIssued()).isEqualTo(1);
      }
    }
  }
}
