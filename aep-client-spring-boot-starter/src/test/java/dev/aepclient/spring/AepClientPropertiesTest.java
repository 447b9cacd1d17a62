package dev.aepclient.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  @Test
  void aMisspeltStarterKeyInAFileIsRefusedNamingIt() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("aep.inlet.url", "https://dcs.adobedc.net/collection/abc")
        .withProperty("aep.kafka.dead-letter-topics", "dlq");
    assertThatThrownBy(() -> AepClientProperties.from(env)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aep.kafka.dead-letter-topics").hasMessageContaining("aep.kafka.dead-letter-topic,");
    MockEnvironment timer = new MockEnvironment().withProperty("aep.metrics.messageTimers", "true");
    assertThatThrownBy(() -> AepClientProperties.from(timer)).isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("aep.metrics.messageTimers"));
  }

  @Test
  void theStartersKeysAreAcceptedInEveryRelaxedSpelling() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("aep.inlet.url", "https://dcs.adobedc.net/collection/abc")
        .withProperty("aep.kafka.groupId", "g")
        .withProperty("aep.kafka.dead_letter_topic", "dlq")
        .withProperty("aep.kafka.topics[0]", "a")
        .withProperty("aep.kafka.topics[1]", "b")
        .withProperty("aep.kafka.poll-timeout", "1s")
        .withProperty("aep.kafka.CLOSE-TIMEOUT", "1s")
        .withProperty("aep.kafka.commit-interval", "1s")
        .withProperty("aep.metrics.message-timer", "true")
        .withProperty("aep.enabled", "true");
    assertThat(AepClientProperties.from(env)).containsOnlyKeys("aep.inlet.url");
  }

  @Test
  void anUnknownStarterKeyFromAnEnvironmentVariableIsIgnored() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("aep.inlet.url", "https://dcs.adobedc.net/collection/abc");
    env.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("AEP_KAFKA_TOPIC", "orders")));
    assertThat(AepClientProperties.from(env)).containsOnlyKeys("aep.inlet.url");
  }

  @Test
  void aKebabCaseSpellingOfAClientKeyIsPassedOnForTheClientToRefuseNamingIt() {
    MockEnvironment env = new MockEnvironment().withProperty("aep.inlet-url", "https://dcs.adobedc.net/collection/x");
    Properties properties = AepClientProperties.from(env);
    assertThat(properties).containsOnlyKeys("aep.inlet-url");
    assertThatThrownBy(() -> dev.aepclient.AepStreamingClient.fromProperties(properties))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown setting aep.inlet-url");
  }
}
