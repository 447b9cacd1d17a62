package dev.aepclient.internal.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aepclient.AepAuth;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.BufferFullPolicy;
import dev.aepclient.HttpProtocol;
import dev.aepclient.auth.PrivateKeySource;
import dev.aepclient.internal.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code aep.*} properties into a builder: this library's keys, and the Adobe Kafka Connect sink connector's
 * keys as aliases (AEP-PROTOCOL.md §7), so a connector configuration works unchanged. Keys that do not start with
 * {@code aep.} are ignored (a connector file also holds {@code connector.class}, {@code topics}, …); an unknown
 * {@code aep.} key is refused, because a typo must not silently fall back to a default.
 */
public final class PropertiesConfig {
  private static final Logger log = LoggerFactory.getLogger(PropertiesConfig.class);

  /** Our keys, in the order the README lists them, each with what it sets on the builder. */
  private static final Map<String, BiConsumer<AepStreamingClientBuilder, Value>> KEYS = new LinkedHashMap<>();

  /** The Adobe connector's keys that mean the same as one of ours (value converted where units differ). */
  private static final Map<String, String> CONNECTOR_ALIASES = Map.ofEntries(
      Map.entry("aep.endpoint", "aep.inlet.url"),
      Map.entry("aep.connection.timeout", "aep.connect.timeout.ms"),
      Map.entry("aep.connection.readTimeout", "aep.request.timeout.ms"),
      Map.entry("aep.connection.retryBackoff", "aep.retry.backoff.ms"),
      Map.entry("aep.connection.proxy.host", "aep.proxy.host"),
      Map.entry("aep.connection.proxy.port", "aep.proxy.port"),
      Map.entry("aep.connection.proxy.user", "aep.proxy.user"),
      Map.entry("aep.connection.proxy.password", "aep.proxy.password"),
      Map.entry("aep.connection.auth.client.id", "aep.auth.client.id"),
      Map.entry("aep.connection.auth.client.secret", "aep.auth.client.secret"),
      Map.entry("aep.connection.auth.endpoint", "aep.ims.url"),
      Map.entry("aep.connection.auth.imsOrg", "aep.org.id"),
      Map.entry("aep.connection.auth.accountKey", "aep.auth.technical.account.id"),
      Map.entry("aep.connection.auth.filePath", "aep.auth.private.key.file"),
      Map.entry("aep.connection.endpoint.headers", "aep.headers"));

  /** Auth keys, read together by {@link #auth(Map)} rather than one by one. */
  private static final List<String> AUTH_KEYS = List.of("aep.auth.type", "aep.auth.client.id",
      "aep.auth.client.secret", "aep.auth.scopes", "aep.auth.technical.account.id", "aep.auth.private.key.file",
      "aep.auth.private.key", "aep.auth.metascopes", "aep.auth.token");

  /** Environment variables without the {@code AEP_} + key shape, as the demo and docs name them. */
  private static final Map<String, String> ENV_SHORT_NAMES = Map.of(
      "AEP_CLIENT_ID", "aep.auth.client.id",
      "AEP_CLIENT_SECRET", "aep.auth.client.secret",
      "AEP_SCOPES", "aep.auth.scopes",
      "AEP_ACCESS_TOKEN", "aep.auth.token");

  static {
    KEYS.put("aep.inlet.url", (b, v) -> b.inletUrl(v.text()));
    KEYS.put("aep.ims.url", (b, v) -> b.imsUrl(v.text()));
    KEYS.put("aep.org.id", (b, v) -> b.orgId(v.text()));
    KEYS.put("aep.api.key", (b, v) -> b.apiKey(v.text()));
    KEYS.put("aep.sandbox", (b, v) -> b.sandbox(v.text()));
    KEYS.put("aep.sandbox.header", (b, v) -> b.sandboxHeader(v.text()));
    KEYS.put("aep.flow.id", (b, v) -> b.flowId(v.text()));
    KEYS.put("aep.headers", (b, v) -> v.jsonObject().forEach(b::header));
    KEYS.put("aep.batch.max.records", (b, v) -> b.maxBatchRecords(v.integer()));
    KEYS.put("aep.batch.max.bytes", (b, v) -> b.maxBatchBytes(v.integer()));
    KEYS.put("aep.max.request.bytes", (b, v) -> b.maxRequestBytes(v.integer()));
    KEYS.put("aep.linger.ms", (b, v) -> b.linger(v.millis()));
    KEYS.put("aep.max.in.flight", (b, v) -> b.maxInFlightRequests(v.integer()));
    KEYS.put("aep.max.in.flight.adaptive", (b, v) -> b.adaptiveConcurrency(v.bool()));
    KEYS.put("aep.buffer.max.bytes", (b, v) -> b.maxBufferedBytes(v.longValue()));
    KEYS.put("aep.buffer.full.policy", (b, v) -> b.whenBufferFull(v.bufferFullPolicy()));
    KEYS.put("aep.buffer.max.block.ms", (b, v) -> b.maxBlock(v.millis()));
    KEYS.put("aep.delivery.timeout.ms", (b, v) -> b.deliveryTimeout(v.millis()));
    KEYS.put("aep.request.timeout.ms", (b, v) -> b.requestTimeout(v.millis()));
    KEYS.put("aep.connect.timeout.ms", (b, v) -> b.connectTimeout(v.millis()));
    KEYS.put("aep.gzip", (b, v) -> b.gzip(v.bool()));
    KEYS.put("aep.http.protocol", (b, v) -> b.httpProtocol(v.httpProtocol()));
    KEYS.put("aep.rate.limit.rps", (b, v) -> b.maxRequestsPerSecond(v.decimal()));
    KEYS.put("aep.sync.validation", (b, v) -> b.syncValidation(v.bool()));
    KEYS.put("aep.allow.insecure.http", (b, v) -> b.allowInsecureHttp(v.bool()));
    KEYS.put("aep.client.name", (b, v) -> b.clientName(v.text()));
    // Read in pairs by builderFrom: aep.retry.backoff.ms/.max.ms, aep.proxy.*.
  }

  private static final List<String> PAIRED_KEYS = List.of("aep.retry.backoff.ms", "aep.retry.backoff.max.ms",
      "aep.proxy.host", "aep.proxy.port", "aep.proxy.user", "aep.proxy.password");

  /** Connector keys accepted and not needed: our retry runs until the delivery timeout instead. */
  private static final List<String> CONNECTOR_IGNORED = List.of("aep.connection.maxRetries");

  private PropertiesConfig() {}

  /** Every key this class understands, ours first, then the connector's; for docs and error messages. */
  public static List<String> knownKeys() {
    TreeSet<String> keys = new TreeSet<>(KEYS.keySet());
    keys.addAll(PAIRED_KEYS);
    keys.addAll(AUTH_KEYS);
    return List.copyOf(keys);
  }

  /**
   * A builder configured from {@code properties}.
   *
   * @throws IllegalArgumentException naming the key and the fix, for an unknown {@code aep.} key or a bad value
   */
  public static AepStreamingClientBuilder builderFrom(Properties properties) {
    Map<String, String> values = normalize(properties);
    AepStreamingClientBuilder builder = AepStreamingClient.builder();
    for (Map.Entry<String, BiConsumer<AepStreamingClientBuilder, Value>> key : KEYS.entrySet()) {
      String raw = values.get(key.getKey());
      if (raw != null) {
        key.getValue().accept(builder, new Value(key.getKey(), raw));
      }
    }
    String backoff = values.get("aep.retry.backoff.ms");
    String backoffMax = values.get("aep.retry.backoff.max.ms");
    if (backoff != null || backoffMax != null) {
      Duration defaultMax = Duration.ofMillis(AepStreamingClientBuilder.DEFAULT_RETRY_BACKOFF_MAX_MS);
      Duration initial = backoff == null ? Duration.ofMillis(AepStreamingClientBuilder.DEFAULT_RETRY_BACKOFF_MS)
          : new Value("aep.retry.backoff.ms", backoff).millis();
      Duration max = backoffMax == null ? (initial.compareTo(defaultMax) > 0 ? initial : defaultMax)
          : new Value("aep.retry.backoff.max.ms", backoffMax).millis();
      builder.retryBackoff(initial, max);
    }
    String proxyHost = values.get("aep.proxy.host");
    if (proxyHost != null && !proxyHost.isBlank()) {
      String port = values.get("aep.proxy.port");
      if (port == null) {
        throw new IllegalArgumentException("aep.proxy.host is set without aep.proxy.port: set the proxy's port");
      }
      builder.proxy(proxyHost, new Value("aep.proxy.port", port).integer());
      String user = values.get("aep.proxy.user");
      if (user != null && !user.isBlank()) {
        builder.proxyCredentials(user, values.getOrDefault("aep.proxy.password", ""));
      }
    }
    AepAuth auth = auth(values);
    if (auth != null) {
      builder.auth(auth);
    }
    return builder;
  }

  /**
   * Properties from environment variables: {@code AEP_INLET_URL} is {@code aep.inlet.url} (upper case, {@code _}
   * for {@code .}), plus the short names {@code AEP_CLIENT_ID}, {@code AEP_CLIENT_SECRET}, {@code AEP_SCOPES} and
   * {@code AEP_ACCESS_TOKEN}. Variables that match no key are ignored.
   */
  public static Properties fromEnvironment(Map<String, String> environment) {
    Properties properties = new Properties();
    List<String> known = knownKeys();
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      String name = variable.getKey();
      if (!name.startsWith("AEP_")) {
        continue;
      }
      String key = ENV_SHORT_NAMES.get(name);
      if (key == null) {
        String candidate = name.toLowerCase(Locale.ROOT).replace('_', '.');
        key = known.contains(candidate) ? candidate : null;
      }
      if (key != null) {
        properties.setProperty(key, variable.getValue());
      } else {
        log.debug("environment variable {} matches no aep-client setting; ignored", name);
      }
    }
    return properties;
  }

  /** Our keys with connector aliases resolved and converted; refuses unknown {@code aep.} keys and conflicts. */
  private static Map<String, String> normalize(Properties properties) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> known = knownKeys();
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      if (!name.startsWith("aep.")) {
        continue;
      }
      String raw = properties.getProperty(name).trim();
      String key = name;
      String value = raw;
      if (CONNECTOR_IGNORED.contains(name)) {
        log.info("{} is ignored: aep-client retries until aep.delivery.timeout.ms instead of a fixed count", name);
        continue;
      } else if (CONNECTOR_ALIASES.containsKey(name)) {
        key = CONNECTOR_ALIASES.get(name);
      } else if (name.equals("aep.flush.interval.seconds")) {
        key = "aep.linger.ms";
        value = String.valueOf(Math.multiplyExact(new Value(name, raw).longValue(), 1000L));
      } else if (name.equals("aep.flush.bytes.kb")) {
        key = "aep.batch.max.bytes";
        value = String.valueOf(Math.multiplyExact(new Value(name, raw).longValue(), 1024L));
      } else if (name.startsWith("aep.connection.auth.")) {
        continue; // enabled, token.type and client.code: read by auth()
      } else if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown setting " + name + ": check its spelling; known settings are "
            + known + " and the Adobe connector's aep.endpoint, aep.flush.*, aep.connection.* keys");
      }
      String previous = values.put(key, value);
      if (previous != null && !previous.equals(value)) {
        throw new IllegalArgumentException(name + " and " + key + " are both set, to different values: keep one");
      }
    }
    copyConnectorAuth(properties, values);
    return values;
  }

  /** The connector's auth switch and token type, expressed as our aep.auth.type. */
  private static void copyConnectorAuth(Properties properties, Map<String, String> values) {
    String enabled = properties.getProperty("aep.connection.auth.enabled");
    String tokenType = properties.getProperty("aep.connection.auth.token.type");
    if (enabled == null && tokenType == null) {
      return;
    }
    if (enabled != null && !new Value("aep.connection.auth.enabled", enabled).bool()) {
      values.putIfAbsent("aep.auth.type", "none");
      return;
    }
    String type = tokenType == null ? "access_token" : tokenType.trim();
    String ours = switch (type) {
      case "oauth2_access_token" -> "oauth";
      case "jwt_token" -> "jwt";
      case "access_token" -> throw new IllegalArgumentException("aep.connection.auth.token.type=access_token (the"
          + " connector's authorization-code flow with aep.connection.auth.client.code) is not supported: Adobe"
          + " retired that credential; create an OAuth Server-to-Server credential and set"
          + " aep.connection.auth.token.type=oauth2_access_token (or aep.auth.type=oauth)");
      default -> throw new IllegalArgumentException("aep.connection.auth.token.type must be oauth2_access_token or"
          + " jwt_token, got '" + type + "'");
    };
    String previous = values.putIfAbsent("aep.auth.type", ours);
    if (previous != null && !previous.equals(ours)) {
      throw new IllegalArgumentException("aep.auth.type=" + previous + " and aep.connection.auth.token.type=" + type
          + " disagree: keep one");
    }
  }

  /** The credential the auth keys describe; null when none is configured (the builder's default, none). */
  private static AepAuth auth(Map<String, String> values) {
    String type = values.get("aep.auth.type");
    if (type == null) {
      if (values.containsKey("aep.auth.token")) {
        type = "token";
      } else if (values.containsKey("aep.auth.technical.account.id")) {
        type = "jwt";
      } else if (values.containsKey("aep.auth.client.id") || values.containsKey("aep.auth.client.secret")) {
        type = "oauth";
      } else {
        return null;
      }
    }
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "none" -> AepAuth.none();
      case "token" -> AepAuth.token(required(values, "aep.auth.token", "the access token"));
      case "oauth" -> {
        AepAuth.OAuth oauth = AepAuth.oauth(required(values, "aep.auth.client.id", "the credential's client id"),
            required(values, "aep.auth.client.secret", "the credential's client secret"),
            required(values, "aep.org.id", "the IMS org id, …@AdobeOrg"));
        String scopes = values.get("aep.auth.scopes");
        yield scopes == null ? oauth : oauth.scopes(list(scopes));
      }
      case "jwt" -> {
        String file = values.get("aep.auth.private.key.file");
        String pem = values.get("aep.auth.private.key");
        if ((file == null) == (pem == null)) {
          throw new IllegalArgumentException("aep.auth.type=jwt needs exactly one of aep.auth.private.key.file (a"
              + " PEM or PKCS#8 DER file) and aep.auth.private.key (the PEM text)");
        }
        AepAuth.Jwt jwt = AepAuth.jwt(required(values, "aep.auth.client.id", "the credential's client id"),
            required(values, "aep.auth.client.secret", "the credential's client secret"),
            required(values, "aep.org.id", "the IMS org id, …@AdobeOrg"),
            required(values, "aep.auth.technical.account.id", "the technical account id"),
            file != null ? PrivateKeySource.fromFile(Path.of(file)) : PrivateKeySource.fromPem(pem));
        String metascopes = values.get("aep.auth.metascopes");
        yield metascopes == null ? jwt : jwt.metascopes(list(metascopes));
      }
      default -> throw new IllegalArgumentException("aep.auth.type must be none, token, oauth or jwt, got '" + type
          + "'");
    };
  }

  private static String required(Map<String, String> values, String key, String what) {
    String value = values.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " is not set: it must hold " + what + " for aep.auth.type="
          + values.getOrDefault("aep.auth.type", "(inferred)"));
    }
    return value;
  }

  private static List<String> list(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** One property value, parsed with an error that names its key. */
  private record Value(String key, String raw) {
    String text() {
      return raw;
    }

    long longValue() {
      try {
        return Long.parseLong(raw.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a whole number, got '" + raw + "'");
      }
    }

    int integer() {
      long value = longValue();
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(key + " is out of range: " + raw);
      }
      return (int) value;
    }

    double decimal() {
      try {
        return Double.parseDouble(raw);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a number, got '" + raw + "'");
      }
    }

    Duration millis() {
      return Duration.ofMillis(longValue());
    }

    boolean bool() {
      return switch (raw.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException(key + " must be true or false, got '" + raw + "'");
      };
    }

    BufferFullPolicy bufferFullPolicy() {
      try {
        return BufferFullPolicy.valueOf(raw.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + " must be BLOCK or FAIL, got '" + raw + "'");
      }
    }

    HttpProtocol httpProtocol() {
      try {
        return HttpProtocol.valueOf(raw.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + " must be HTTP_1_1 or HTTP_2, got '" + raw + "'");
      }
    }

    Map<String, String> jsonObject() {
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(raw);
      } catch (IOException e) {
        throw new IllegalArgumentException(key + " must be a JSON object of header names to values, like"
            + " {\"x-header\":\"value\"}; it is not valid JSON");
      }
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(key + " must be a JSON object of header names to values");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        headers.put(field.getKey(), field.getValue().asText());
      }
      return headers;
    }
  }
}
