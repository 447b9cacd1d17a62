package dev.aepclient.connect.internal;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.connect.AepSinkConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connector configuration as aep-client-core sees it: every {@code aep.*} key but the sink's own, built into a
 * client by {@link AepStreamingClient#fromProperties(Properties)} (the one mapping of our keys and Adobe's). Also
 * turns the client's refusal of a configuration into an error on the key to blame, for Connect's validate.
 */
public final class ClientSettings {
  private static final Pattern KEY_IN_TEXT = Pattern.compile("aep\\.[A-Za-z0-9_.]*[A-Za-z0-9_]");

  /** A configuration the client refused: the key to show the error on, and the client's message. */
  public record Problem(String key, String message) {}

  private ClientSettings() {}

  /** The properties the client is built from (every non-sink key; the client ignores keys without aep.). */
  public static Properties clientProperties(Map<String, String> config) {
    Properties properties = new Properties();
    for (Map.Entry<String, String> e : config.entrySet()) {
      if (e.getValue() != null && !AepSinkConfig.sinkKeys().contains(e.getKey())) {
        properties.setProperty(e.getKey(), e.getValue());
      }
    }
    return properties;
  }

  /**
   * Builds the client.
   *
   * @throws IllegalArgumentException as {@link AepStreamingClient#fromProperties(Properties)}, naming the key
   */
  public static AepStreamingClient newClient(Map<String, String> config) {
    return AepStreamingClient.fromProperties(clientProperties(config));
  }

  /** Builds (and closes at once) a client from {@code config}: empty when it is fine, else what is wrong where. */
  public static Optional<Problem> check(Map<String, String> config) {
    try {
      AepStreamingClient client = newClient(config);
      client.close(Duration.ZERO);
      return Optional.empty();
    } catch (IllegalArgumentException | IllegalStateException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      return Optional.of(new Problem(keyToBlame(message, config), message));
    }
  }

  /**
   * The first key the message names: an undeclared key the user set (a misspelling), or a declared one (the Adobe
   * alias the user actually set, if any); else the inlet.
   */
  static String keyToBlame(String message, Map<String, String> config) {
    Matcher m = KEY_IN_TEXT.matcher(message);
    while (m.find()) {
      String token = m.group();
      if (config.containsKey(token) && !ConfigKeys.namesLongestFirst().contains(token)) {
        return token; // a key nobody declares: a misspelling
      }
      for (String name : ConfigKeys.namesLongestFirst()) {
        if (token.equals(name)) {
          return ConfigKeys.blame(name, config).get(0);
        }
      }
    }
    return ConfigKeys.blame("aep.inlet.url", config).get(0);
  }
}
