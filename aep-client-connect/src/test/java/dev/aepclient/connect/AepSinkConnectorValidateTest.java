package dev.aepclient.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aepclient.internal.config.PropertiesConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/** {@link AepSinkConnector#validate}: the ConfigDef's checks, then core's, each error on the key to blame. */
class AepSinkConnectorValidateTest {
  private static Map<String, String> adobeConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", AepSinkConnector.class.getName());
    config.put("topics", "events");
    config.put("aep.endpoint", "https://dcs.adobedc.net/collection/abc123");
    config.put("aep.flush.interval.seconds", "1");
    config.put("aep.flush.bytes.kb", "4");
    config.put("aep.connection.maxRetries", "3");
    config.put("aep.connection.retryBackoff", "300");
    config.put("aep.connection.timeout", "5000");
    config.put("aep.connection.readTimeout", "60000");
    config.put("aep.connection.auth.enabled", "true");
    config.put("aep.connection.auth.token.type", "oauth2_access_token");
    config.put("aep.connection.auth.client.id", "client-1");
    config.put("aep.connection.auth.client.secret", "not-a-real-secret");
    config.put("aep.connection.auth.imsOrg", "ORG1@AdobeOrg");
    config.put("aep.connection.endpoint.headers", "{\"x-extra\":\"1\"}");
    return config;
  }

  private static Map<String, List<String>> errors(Map<String, String> config) {
    Config result = new AepSinkConnector().validate(config);
    return result.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void adobeConnectorConfigurationValidatesUnchanged() {
    assertThat(errors(adobeConfig())).isEmpty();
  }

  @Test
  void retiredAuthorizationCodeFlowIsBlamedOnTheTokenType() {
    Map<String, String> config = adobeConfig();
    config.put("aep.connection.auth.token.type", "access_token");
    assertThat(errors(config)).containsOnlyKeys("aep.connection.auth.token.type");
    assertThat(errors(config).get("aep.connection.auth.token.type").get(0)).contains("oauth2_access_token");
  }

  @Test
  void missingSecretIsBlamedOnTheAdobeKeyInAnAdobeFile() {
    Map<String, String> config = adobeConfig();
    config.remove("aep.connection.auth.client.secret");
    assertThat(errors(config)).containsOnlyKeys("aep.connection.auth.client.secret");
  }

  @Test
  void missingInletIsBlamedOnTheKeyTheFileStyleUses() {
    Map<String, String> adobe = adobeConfig();
    adobe.remove("aep.endpoint");
    assertThat(errors(adobe)).containsOnlyKeys("aep.endpoint");

    Map<String, String> ours = new HashMap<>(Map.of("topics", "events", "aep.auth.type", "none"));
    assertThat(errors(ours)).containsOnlyKeys("aep.inlet.url");
  }

  @Test
  void wrongTypeIsReportedByTheConfigDefOnTheKey() {
    Map<String, String> config = adobeConfig();
    config.put("aep.connection.proxy.port", "eighty");
    config.put("aep.sink.commit.interval.ms", "-1");
    assertThat(errors(config)).containsOnlyKeys("aep.connection.proxy.port", "aep.sink.commit.interval.ms");
  }

  @Test
  void misspelledAepKeyIsReportedOnItself() {
    Map<String, String> config = adobeConfig();
    config.put("aep.flush.interval.second", "2");
    assertThat(errors(config)).containsOnlyKeys("aep.flush.interval.second");
  }

  @Test
  void outOfRangeValueFoundByCoreIsBlamedOnTheAdobeAliasTheUserSet() {
    Map<String, String> config = adobeConfig();
    config.put("aep.flush.bytes.kb", "0"); // 0 bytes per batch: core refuses aep.batch.max.bytes
    assertThat(errors(config)).containsOnlyKeys("aep.flush.bytes.kb");
  }

  @Test
  void everyKeyCoreKnowsIsDeclaredAndTheSinkKeysHaveDefaults() {
    ConfigDef def = new AepSinkConnector().config();
    assertThat(def.names()).containsAll(PropertiesConfig.knownKeys());
    assertThat(def.names()).contains("aep.endpoint", "aep.flush.interval.seconds", "aep.flush.bytes.kb",
        "aep.connection.auth.client.secret", "aep.connection.endpoint.headers");
    assertThat(def.configKeys().get("aep.connection.auth.client.secret").type).isEqualTo(ConfigDef.Type.PASSWORD);
    AepSinkConfig sink = new AepSinkConfig(Map.of());
    assertThat(sink.tombstones()).isEqualTo(AepSinkConfig.TombstonePolicy.REPORT);
    assertThat(sink.commitIntervalMs()).isEqualTo(1000);
    assertThat(sink.closeTimeoutMs()).isEqualTo(5_000);
  }

  @Test
  void startRefusesABadConfigurationNamingTheKey() {
    Map<String, String> config = adobeConfig();
    config.remove("aep.connection.auth.imsOrg");
    assertThatThrownBy(() -> new AepSinkConnector().start(config)).isInstanceOf(ConnectException.class)
        .hasMessageContaining("aep.connection.auth.imsOrg");
  }

  @Test
  void taskConfigsAreCopiesForEveryTask() {
    AepSinkConnector connector = new AepSinkConnector();
    connector.start(adobeConfig());
    List<Map<String, String>> tasks = connector.taskConfigs(3);
    assertThat(tasks).hasSize(3).allSatisfy(t -> assertThat(t).isEqualTo(adobeConfig()));
  }
}
