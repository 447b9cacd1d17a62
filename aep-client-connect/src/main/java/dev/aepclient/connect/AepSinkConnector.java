package dev.aepclient.connect;

import dev.aepclient.connect.internal.ClientSettings;
import dev.aepclient.connect.internal.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A Kafka Connect sink that streams records to an Adobe Experience Platform streaming inlet through aep-client-core.
 * It takes the Adobe sink connector's configuration unchanged ({@code aep.endpoint}, {@code aep.flush.*},
 * {@code aep.connection.*}) as well as this library's {@code aep.*} keys; see {@link AepSinkConfig}.
 *
 * <pre>
 * connector.class=dev.aepclient.connect.AepSinkConnector
 * topics=events
 * aep.endpoint=https://dcs.adobedc.net/collection/{INLET_ID}
 * aep.connection.auth.enabled=true
 * aep.connection.auth.token.type=oauth2_access_token
 * ...
 * errors.tolerance=all
 * errors.deadletterqueue.topic.name=events.dlq
 * </pre>
 *
 * <p>{@link #validate} reports a configuration the client would refuse on the key to blame, so Connect's REST
 * validate endpoint shows it. Each task builds its own client. Connect calls a connector from one thread.
 */
public class AepSinkConnector extends SinkConnector {
  private Map<String, String> props;

  /** For Connect. */
  public AepSinkConnector() {}

  @Override
  public String version() {
    return Version.get();
  }

  /**
   * @throws org.apache.kafka.common.config.ConfigException for a value of the wrong type or range
   * @throws ConnectException naming the key when the client refuses the configuration
   */
  @Override
  public void start(Map<String, String> props) {
    new AepSinkConfig(props);
    Optional<ClientSettings.Problem> problem = ClientSettings.check(props);
    if (problem.isPresent()) {
      throw new ConnectException("invalid AEP configuration (" + problem.get().key() + "): "
          + problem.get().message());
    }
    this.props = new HashMap<>(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return AepSinkTask.class;
  }

  /** {@code maxTasks} copies of the configuration: every task sends to the same inlet with its own client. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      configs.add(new HashMap<>(props));
    }
    return configs;
  }

  @Override
  public void stop() {
    // Tasks own the clients; nothing runs here.
  }

  @Override
  public ConfigDef config() {
    return AepSinkConfig.CONFIG_DEF;
  }

  /**
   * Checks types and ranges as declared, then, when those pass, builds a client from the configuration (and closes
   * it) so any error aep-client-core finds (a missing inlet, an incomplete credential, an unknown {@code aep.} key)
   * shows on the key it concerns.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    boolean typesOk = config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
    if (typesOk) {
      ClientSettings.check(connectorConfigs).ifPresent(problem -> valueOf(config, problem.key())
          .addErrorMessage(problem.message()));
    }
    return config;
  }

  private static ConfigValue valueOf(Config config, String key) {
    for (ConfigValue value : config.configValues()) {
      if (value.name().equals(key)) {
        return value;
      }
    }
    ConfigValue value = new ConfigValue(key);
    config.configValues().add(value);
    return value;
  }
}
