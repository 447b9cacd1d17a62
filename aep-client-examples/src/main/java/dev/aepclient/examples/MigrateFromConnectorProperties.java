package dev.aepclient.examples;

import dev.aepclient.AepStreamingClient;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * From the Adobe Kafka Connect sink connector to aep-client with the same properties file: the connector's
 * {@code aep.*} keys ({@code aep.endpoint}, {@code aep.connection.auth.*}, {@code aep.flush.*}, …) are accepted as
 * they are; {@code connector.class}, {@code topics} and other non-{@code aep.} keys are ignored.
 */
public final class MigrateFromConnectorProperties {
  private MigrateFromConnectorProperties() {}

  public static AepStreamingClient clientFrom(Path connectorProperties) throws IOException {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(connectorProperties)) {
      props.load(reader);
    }
    return AepStreamingClient.fromProperties(props);
  }
}
