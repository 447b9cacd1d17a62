package dev.aepclient.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/**
 * Secrets typed PASSWORD never reach what validate returns (Connect's REST answer), the config's text, a start
 * failure's message or a log line, even when the configuration around them is wrong.
 */
class SecretsNeverShownTest {
  private static final String CLIENT_SECRET = "s3cr3t-client-value";
  private static final String PROXY_PASSWORD = "s3cr3t-proxy-value";
  private static final String KEY_BODY = "S3CR3TKEYMATERIALNOTBASE64";
  private static final String TOKEN = "s3cr3t-token-value";

  private static Map<String, String> config() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", AepSinkConnector.class.getName());
    config.put("topics", "events");
    config.put("aep.endpoint", "https://dcs.adobedc.net/collection/abc123");
    config.put("aep.connection.auth.enabled", "true");
    config.put("aep.connection.auth.token.type", "jwt_token");
    config.put("aep.connection.auth.client.id", "client-1");
    config.put("aep.connection.auth.client.secret", CLIENT_SECRET);
    config.put("aep.connection.auth.imsOrg", "ORG1@AdobeOrg");
    config.put("aep.connection.auth.accountKey", "tech@techacct.adobe.com");
    config.put("aep.auth.private.key", "-----BEGIN PRIVATE KEY-----\n" + KEY_BODY + "\n-----END PRIVATE KEY-----");
    config.put("aep.connection.proxy.host", "proxy.example");
    config.put("aep.connection.proxy.port", "3128");
    config.put("aep.connection.proxy.user", "u");
    config.put("aep.connection.proxy.password", PROXY_PASSWORD);
    return config;
  }

  private static String everythingShown(Config result) {
    StringBuilder shown = new StringBuilder();
    for (ConfigValue value : result.configValues()) {
      shown.append(value.name()).append('=').append(value.value()).append(' ').append(value.errorMessages())
          .append(' ').append(value.recommendedValues()).append('\n');
    }
    return shown.toString();
  }

  private static void assertNoSecret(String text) {
    assertThat(text).doesNotContain(CLIENT_SECRET, PROXY_PASSWORD, KEY_BODY, TOKEN);
  }

  @Test
  void secretKeysArePasswordsInTheConfigDef() {
    for (String key : new String[] {"aep.auth.client.secret", "aep.auth.private.key", "aep.auth.token",
        "aep.proxy.password", "aep.connection.auth.client.secret", "aep.connection.auth.client.code",
        "aep.connection.proxy.password"}) {
      assertThat(AepSinkConfig.CONFIG_DEF.configKeys().get(key).type).as(key).isEqualTo(ConfigDef.Type.PASSWORD);
    }
  }

  @Test
  @SuppressWarnings("ObjectToString") // whatever a log line would print of the config must hold no secret
  void aBrokenConfigurationShowsItsErrorsButNoSecret() {
    PrintStream err = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    String shown;
    Throwable connectorStart;
    Throwable taskStart;
    try {
      System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
      shown = everythingShown(new AepSinkConnector().validate(config()));
      Map<String, String> typeError = config();
      typeError.put("aep.connection.proxy.port", "not-a-port");
      shown += everythingShown(new AepSinkConnector().validate(typeError));
      Map<String, String> token = config();
      token.put("aep.auth.token", TOKEN);
      shown += everythingShown(new AepSinkConnector().validate(token));
      shown += new AepSinkConfig(config()).toString() + AepSinkConfig.CONFIG_DEF.toHtml();
      connectorStart = catchThrowable(() -> new AepSinkConnector().start(config()));
      AepSinkTask task = new AepSinkTask();
      taskStart = catchThrowable(() -> task.start(token));
      task.stop();
    } finally {
      System.setErr(err);
    }
    assertThat(shown).as("validate reports the broken configuration").contains("not-a-port");
    assertNoSecret(shown);
    assertThat(connectorStart).isNotNull();
    assertNoSecret(String.valueOf(connectorStart) + connectorStart.getCause());
    assertThat(taskStart).isNotNull();
    assertNoSecret(String.valueOf(taskStart) + taskStart.getCause());
    assertNoSecret(logs.toString(StandardCharsets.UTF_8));
  }
}
