package dev.aepclient.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

class AepClientPropertiesTest {

  @Test
  void passesTheClientKeysUnchangedAndLeavesTheStartersOwnOut() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("aep.inlet.url", "https://dcs.adobedc.net/collection/abc")
        .withProperty("aep.sandbox", "dev")
        .withProperty("aep.sandbox.header", "x-sandbox")
        .withProperty("aep.auth.private.key.file", "/k.pem")
        .withProperty("aep.batch.max.records", "50")
        .withProperty("aep.enabled", "true")
        .withProperty("aep.kafka.enabled", "true")
        .withProperty("aep.kafka.topics[0]", "a")
        .withProperty("aep.kafka.dead-letter-topic", "dlq")
        .withProperty("aep.metrics.message-timer", "true")
        .withProperty("spring.kafka.bootstrap-servers", "x:9092");
    Properties properties = AepClientProperties.from(env);
    assertThat(properties).containsOnlyKeys("aep.inlet.url", "aep.sandbox", "aep.sandbox.header",
        "aep.auth.private.key.file", "aep.batch.max.records");
    assertThat(properties.getProperty("aep.sandbox.header")).isEqualTo("x-sandbox");
    assertThat(properties.getProperty("aep.batch.max.records")).isEqualTo("50");
  }

  @Test
  void aYamlListBecomesTheCommaSeparatedValueInItsOrder() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("aep.auth.scopes[1]", "AdobeID")
        .withProperty("aep.auth.scopes[0]", "openid")
        .withProperty("aep.auth.scopes[2]", "read_organizations");
    assertThat(AepClientProperties.from(env).getProperty("aep.auth.scopes"))
        .isEqualTo("openid,AdobeID,read_organizations");
  }

  @Test
  void adobeConnectorKeysKeepTheirCamelCase() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("aep.endpoint", "https://dcs.adobedc.net/collection/abc")
        .withProperty("aep.connection.readTimeout", "5000")
        .withProperty("aep.connection.auth.imsOrg", "ORG@AdobeOrg");
    assertThat(AepClientProperties.from(env)).containsEntry("aep.connection.readTimeout", "5000")
        .containsEntry("aep.connection.auth.imsOrg", "ORG@AdobeOrg");
  }

  @Test
  void environmentVariablesCountAsTheClientReadsThemAndOtherAepVariablesAreIgnored() {
    MockEnvironment env = new MockEnvironment().withProperty("aep.sandbox", "from-file");
    env.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
            "AEP_INLET_URL", "https://dcs.adobedc.net/collection/abc",
            "AEP_CLIENT_ID", "short-id",
            "AEP_SCOPES", "openid",
            "AEP_INLET_ID", "abc",            // only feeds a placeholder: not a setting
            "AEP_SANDBOX", "from-variable")));
    Properties properties = AepClientProperties.from(env);
    assertThat(properties).containsOnlyKeys("aep.inlet.url", "aep.auth.client.id", "aep.auth.scopes", "aep.sandbox");
    assertThat(properties.getProperty("aep.auth.client.id")).isEqualTo("short-id");
    assertThat(properties.getProperty("aep.sandbox")).isEqualTo("from-variable"); // Spring's precedence
  }

  @Test
  void aKeySetInFullWinsOverTheShortVariableName() {
    MockEnvironment env = new MockEnvironment().withProperty("aep.auth.client.id", "full");
    env.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("AEP_CLIENT_ID", "short")));
    assertThat(AepClientProperties.from(env)).containsEntry("aep.auth.client.id", "full").hasSize(1);
  }

  @Test
  void anUnknownKeyWrittenInAFileIsPassedOnForTheClientToRefuse() {
    MockEnvironment env = new MockEnvironment().withProperty("aep.inlet.id", "abc");
    assertThat(AepClientProperties.from(env)).containsEntry("aep.inlet.id", "abc");
  }

  @Test
  void nothingConfiguredGivesNoProperties() {
    assertThat(AepClientProperties.from(new MockEnvironment())).isEmpty();
  }
}
