package dev.aepclient.spring;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Collects the client's {@code aep.*} settings from Spring's environment (application.yml, properties, environment
 * variables, command line: with Spring's precedence) into the {@link Properties} that
 * {@link dev.aepclient.AepStreamingClient#fromProperties(Properties)} reads, so the keys, their checks and their error
 * messages are the client's own, in one place. The starter's own keys ({@code aep.enabled}, {@code aep.kafka.*}, {@code aep.metrics.*}) are
 * left out. A YAML list ({@code aep.auth.scopes: [a, b]}) becomes the comma-separated value the client expects
 * (Spring's binder hands list items over as {@code auth.scopes.0}, {@code auth.scopes.1}, …; no client key ends in a
 * number).
 */
final class AepClientProperties {
  private static final Pattern INDEXED = Pattern.compile("(.+)\\.(\\d+)");

  private AepClientProperties() {}

  static Properties from(Environment environment) {
    Map<String, String> bound = Binder.get(environment)
        .bind("aep", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
    Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
    Properties properties = new Properties();
    for (Map.Entry<String, String> entry : bound.entrySet()) {
      String key = entry.getKey();
      if (isStarterKey(key)) {
        continue;
      }
      Matcher indexed = INDEXED.matcher(key);
      if (indexed.matches()) {
        lists.computeIfAbsent(indexed.group(1), k -> new TreeMap<>())
            .put(Integer.parseInt(indexed.group(2)), entry.getValue());
      } else {
        properties.setProperty("aep." + key, entry.getValue());
      }
    }
    lists.forEach((key, values) -> properties.setProperty("aep." + key, String.join(",", values.values())));
    return properties;
  }

  static boolean isStarterKey(String keyAfterPrefix) {
    return keyAfterPrefix.equals("enabled") || keyAfterPrefix.startsWith("kafka.")
        || keyAfterPrefix.startsWith("metrics.");
  }
}
