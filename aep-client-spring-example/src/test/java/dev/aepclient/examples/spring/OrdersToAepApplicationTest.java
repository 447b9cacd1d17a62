package dev.aepclient.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.Delivery;
import dev.aepclient.testkit.AepSimulator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The sample application as shipped (its application.yml, OAuth included), configured by environment variables,
 * against the simulator's DCS and IMS.
 */
class OrdersToAepApplicationTest {

  @Test
  void checkoutEventsReachAepWithTheYamlSettings() throws Exception {
    try (AepSimulator aep = AepSimulator.builder()
        .authenticatedInlet(AepSimulator.DEFAULT_INLET)
        .oauthCredential("example-client", "example-secret")
        .requireOrgId("EXAMPLE@AdobeOrg")
        .requireSandbox("dev")
        .start()) {
      // The settings arrive as they would in production: as environment variables. Spring also reads each AEP_*
      // variable as an aep.* key, so AEP_CLIENT_ID must not end up as an unknown key aep.client.id.
      StandardEnvironment environment = new StandardEnvironment();
      environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
          new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
              "AEP_INLET_URL", aep.inletUrl(),
              "AEP_CLIENT_ID", "example-client",
              "AEP_CLIENT_SECRET", "example-secret",
              "AEP_ORG_ID", "EXAMPLE@AdobeOrg",
              "AEP_SANDBOX", "dev",
              "AEP_IMS_URL", aep.imsUrl())));
      SpringApplication application = new SpringApplication(OrdersToAepApplication.class);
      application.setWebApplicationType(WebApplicationType.NONE);
      application.setEnvironment(environment);
      try (ConfigurableApplicationContext context = application.run()) {
        Delivery delivery = context.getBean(CheckoutEvents.class).checkedOut("o-1", 4_200)
            .get(20, TimeUnit.SECONDS);
        assertThat(delivery.xactionId()).isNotBlank();
        assertThat(aep.acceptedCount()).isEqualTo(1);
        assertThat(aep.tokensIssued()).isEqualTo(1);
      }
    }
  }
}
