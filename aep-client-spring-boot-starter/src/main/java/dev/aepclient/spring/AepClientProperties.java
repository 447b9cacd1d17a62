package dev.aepclient.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Collects the client's {@code aep.*} settings from Spring's environment (application.yml, properties, environment
 * variables, command line: with Spring's precedence) into the {@link Properties} that
 * {@link dev.aepclient.AepStreamingClient#fromProperties(Properties)} reads, so the keys, their checks and their error
 * messages are the client's own, in one place. The starter's own keys ({@code aep.enabled}, {@code aep.kafka.*},
 * {@code aep.metrics.*}) are left out. A YAML list ({@code aep.auth.scopes: [a, b]}) becomes the comma-separated value
 * the client expects (Spring's binder hands list items over as {@code auth.scopes.0}, {@code auth.scopes.1}, …; no
 * client key ends in a number).
 *
 * <p>Environment variables are read as {@link dev.aepclient.AepStreamingClient#fromEnvironment()} reads them: Spring
 * turns every {@code AEP_*} variable into an {@code aep.*} key, so a variable that only feeds a placeholder
 * ({@code AEP_INLET_ID}) would otherwise be refused as an unknown key. A key that comes only from an environment
 * variable is kept when it is one of {@link #CLIENT_KEYS} or one of the client's short names ({@code AEP_CLIENT_ID},
 * {@code AEP_CLIENT_SECRET}, {@code AEP_SCOPES}, {@code AEP_ACCESS_TOKEN}), and otherwise ignored. Keys written in
 * files or on the command line stay strict: an unknown one stops start-up.
 */
final class AepClientProperties {
  private static final Logger log = LoggerFactory.getLogger(AepClientProperties.class);
  private static final Pattern INDEXED = Pattern.compile("(.+)\\.(\\d+)");

  /** The client's keys (the README's configuration table; {@code ConfigurationMetadataTest} keeps them equal). */
  static final Set<String> CLIENT_KEYS = Set.of("aep.inlet.url", "aep.auth.type", "aep.auth.client.id",
      "aep.auth.client.secret", "aep.org.id", "aep.auth.scopes", "aep.auth.technical.account.id",
      "aep.auth.private.key.file", "aep.auth.private.key", "aep.auth.metascopes", "aep.auth.token", "aep.ims.url",
      "aep.api.key", "aep.sandbox", "aep.sandbox.header", "aep.flow.id", "aep.headers", "aep.batch.max.records",
      "aep.batch.max.bytes", "aep.max.request.bytes", "aep.linger.ms", "aep.max.in.flight", "aep.max.in.flight.adaptive",
      "aep.buffer.max.bytes",
      "aep.buffer.full.policy", "aep.buffer.max.block.ms", "aep.delivery.timeout.ms", "aep.request.timeout.ms",
      "aep.connect.timeout.ms", "aep.retry.backoff.ms", "aep.retry.backoff.max.ms", "aep.rate.limit.rps", "aep.gzip",
      "aep.http.protocol",
      "aep.sync.validation", "aep.proxy.host", "aep.proxy.port", "aep.proxy.user", "aep.proxy.password",
      "aep.allow.insecure.http", "aep.client.name");

  /** The client's short environment variable names, as keys after Spring's mapping, and what they mean. */
  private static final Map<String, String> ENVIRONMENT_SHORT_NAMES = Map.of(
      "aep.client.id", "aep.auth.client.id",
      "aep.client.secret", "aep.auth.client.secret",
      "aep.scopes", "aep.auth.scopes",
      "aep.access.token", "aep.auth.token");

  /**
   * The starter's own keys after {@code aep.}, in the form Spring's relaxed binding compares them (lower case, no
   * {@code -} or {@code _}): {@link AepProperties} ignores unknown fields, so a misspelt one would be dropped silently.
   */
  static final Set<String> STARTER_KEYS = Set.of("enabled", "kafka.enabled", "kafka.topics", "kafka.groupid",
      "kafka.deadlettertopic", "kafka.polltimeout", "kafka.closetimeout", "kafka.commitinterval",
      "metrics.messagetimer");

  private AepClientProperties() {}

  /**
   * Refuses a starter key ({@code aep.enabled}, {@code aep.kafka.*}, {@code aep.metrics.*}) written in a file or on
   * the command line that the starter does not know; environment variables are not checked (see the class comment).
   *
   * @throws IllegalArgumentException naming the unknown key and the known ones
   */
  static void requireKnownStarterKeys(Environment environment) {
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return;
    }
    for (String key : bind(withoutEnvironmentVariables(configurable)).keySet()) {
      String canonical = key.replaceAll("\\.\\d+$", "").replace("-", "").replace("_", "")
          .toLowerCase(Locale.ROOT);
      if (isStarterKey(key) && !STARTER_KEYS.contains(canonical)) {
        throw new IllegalArgumentException("unknown setting aep." + key + ": check its spelling; the starter's own "
            + "settings are aep.enabled, aep.kafka.enabled, aep.kafka.topics, aep.kafka.group-id, "
            + "aep.kafka.dead-letter-topic, aep.kafka.poll-timeout, aep.kafka.close-timeout, "
            + "aep.kafka.commit-interval and aep.metrics.message-timer");
      }
    }
  }

  static Properties from(Environment environment) {
    requireKnownStarterKeys(environment);
    Map<String, String> all = flatten(bind(Binder.get(environment)));
    Map<String, String> written = environment instanceof ConfigurableEnvironment configurable
        ? flatten(bind(withoutEnvironmentVariables(configurable))) : all;
    Properties properties = new Properties();
    Properties fromVariables = new Properties();
    all.forEach((key, value) -> {
      if (written.containsKey(key)) {
        properties.setProperty(key, value);
      } else if (ENVIRONMENT_SHORT_NAMES.containsKey(key)) {
        fromVariables.setProperty(ENVIRONMENT_SHORT_NAMES.get(key), value);
      } else if (CLIENT_KEYS.contains(key)) {
        properties.setProperty(key, value);
      } else {
        log.debug("environment variable for {} matches no aep-client setting; ignored", key);
      }
    });
    // A short name never hides a key that is set in full.
    fromVariables.forEach(properties::putIfAbsent);
    return properties;
  }

  private static Map<String, String> bind(Binder binder) {
    return binder.bind("aep", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
  }

  private static Binder withoutEnvironmentVariables(ConfigurableEnvironment environment) {
    List<PropertySource<?>> sources = new ArrayList<>();
    environment.getPropertySources().stream()
        .filter(source -> !StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getName()))
        .forEach(sources::add);
    return new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(environment));
  }

  /** Full {@code aep.} keys, the starter's own left out, list items joined. */
  private static Map<String, String> flatten(Map<String, String> bound) {
    Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
    Map<String, String> flat = new TreeMap<>();
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
        flat.put("aep." + key, entry.getValue());
      }
    }
    lists.forEach((key, values) -> flat.put("aep." + key, String.join(",", values.values())));
    return flat;
  }

  static boolean isStarterKey(String keyAfterPrefix) {
    return keyAfterPrefix.equals("enabled") || keyAfterPrefix.startsWith("kafka.")
        || keyAfterPrefix.startsWith("metrics.");
  }
}
