package dev.aepclient.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.AepStreamingClientBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * IDE completion lists exactly the client keys of the README's configuration table, plus the starter's own; the
 * starter's list of client keys (for environment variables) is the same.
 */
class ConfigurationMetadataTest {
  private static final Pattern KEY = Pattern.compile("`(aep\\.[a-z.]+)`");

  @Test
  void metadataListsEveryKeyOfTheReadmeTableAndNoOther() throws Exception {
    Set<String> readme = new TreeSet<>();
    boolean inTable = false;
    boolean inSection = false; // the client's table under "## Configuration" (other sections have key tables too)
    for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
      if (line.startsWith("## ")) {
        inSection = line.startsWith("## Configuration");
      }
      if (!inSection) {
        continue;
      }
      if (line.startsWith("| key |")) {
        inTable = true;
      } else if (inTable && !line.startsWith("|")) {
        break;
      } else if (inTable && !line.startsWith("|---")) {
        Matcher m = KEY.matcher(line); // keys named in the meaning column count too (aep.buffer.max.block.ms)
        while (m.find()) {
          readme.add(m.group(1));
        }
      }
    }
    assertThat(readme).hasSizeGreaterThan(30).contains("aep.inlet.url", "aep.auth.private.key.file");

    Set<String> metadata = new TreeSet<>();
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      for (JsonNode property : new ObjectMapper().readTree(in).path("properties")) {
        metadata.add(property.path("name").asText());
      }
    }
    Set<String> starterOwn = new TreeSet<>(metadata);
    starterOwn.removeIf(key -> !key.equals("aep.enabled") && !key.startsWith("aep.kafka.")
        && !key.startsWith("aep.metrics."));
    Set<String> clientKeys = new TreeSet<>(metadata);
    clientKeys.removeAll(starterOwn);

    assertThat(clientKeys).isEqualTo(readme);
    assertThat(new TreeSet<>(AepClientProperties.CLIENT_KEYS)).isEqualTo(readme);
    assertThat(starterOwn).contains("aep.enabled", "aep.kafka.enabled", "aep.kafka.topics", "aep.kafka.group-id",
        "aep.kafka.dead-letter-topic", "aep.metrics.message-timer");
    // The starter's check of misspelt keys knows every key of AepProperties, in relaxed form.
    Set<String> relaxed = new TreeSet<>();
    starterOwn.forEach(key -> relaxed.add(key.substring("aep.".length()).replace("-", "")));
    assertThat(relaxed).isEqualTo(new TreeSet<>(AepClientProperties.STARTER_KEYS));
  }

  /** The client defaults IDE completion shows are core's constants (core is the one source of defaults). */
  @Test
  void metadataDefaultsAreTheBuildersConstants() throws Exception {
    Map<String, Object> constants = new TreeMap<>();
    constants.put("aep.ims.url", AepStreamingClientBuilder.DEFAULT_IMS_URL);
    constants.put("aep.sandbox.header", AepStreamingClientBuilder.DEFAULT_SANDBOX_HEADER);
    constants.put("aep.batch.max.records", AepStreamingClientBuilder.DEFAULT_MAX_BATCH_RECORDS);
    constants.put("aep.batch.max.bytes", AepStreamingClientBuilder.DEFAULT_MAX_BATCH_BYTES);
    constants.put("aep.max.request.bytes", AepStreamingClientBuilder.DEFAULT_MAX_REQUEST_BYTES);
    constants.put("aep.linger.ms", AepStreamingClientBuilder.DEFAULT_LINGER_MS);
    constants.put("aep.max.in.flight", AepStreamingClientBuilder.DEFAULT_MAX_IN_FLIGHT_REQUESTS);
    constants.put("aep.max.in.flight.adaptive", AepStreamingClientBuilder.DEFAULT_ADAPTIVE_CONCURRENCY);
    constants.put("aep.buffer.max.bytes", AepStreamingClientBuilder.DEFAULT_MAX_BUFFERED_BYTES);
    constants.put("aep.buffer.full.policy", AepStreamingClientBuilder.DEFAULT_BUFFER_FULL_POLICY);
    constants.put("aep.buffer.max.block.ms", AepStreamingClientBuilder.DEFAULT_MAX_BLOCK_MS);
    constants.put("aep.delivery.timeout.ms", AepStreamingClientBuilder.DEFAULT_DELIVERY_TIMEOUT_MS);
    constants.put("aep.request.timeout.ms", AepStreamingClientBuilder.DEFAULT_REQUEST_TIMEOUT_MS);
    constants.put("aep.connect.timeout.ms", AepStreamingClientBuilder.DEFAULT_CONNECT_TIMEOUT_MS);
    constants.put("aep.retry.backoff.ms", AepStreamingClientBuilder.DEFAULT_RETRY_BACKOFF_MS);
    constants.put("aep.retry.backoff.max.ms", AepStreamingClientBuilder.DEFAULT_RETRY_BACKOFF_MAX_MS);
    constants.put("aep.gzip", AepStreamingClientBuilder.DEFAULT_GZIP);
    constants.put("aep.http.protocol", AepStreamingClientBuilder.DEFAULT_HTTP_PROTOCOL);
    constants.put("aep.sync.validation", AepStreamingClientBuilder.DEFAULT_SYNC_VALIDATION);
    constants.put("aep.allow.insecure.http", AepStreamingClientBuilder.DEFAULT_ALLOW_INSECURE_HTTP);
    Map<String, String> expected = new TreeMap<>();
    constants.forEach((key, value) -> expected.put(key, String.valueOf(value)));

    Map<String, String> metadata = new TreeMap<>();
    try (InputStream in = getClass().getResourceAsStream("/META-INF/additional-spring-configuration-metadata.json")) {
      for (JsonNode property : new ObjectMapper().readTree(in).path("properties")) {
        String name = property.path("name").asText();
        boolean clientKey = !name.equals("aep.enabled") && !name.startsWith("aep.kafka.")
            && !name.startsWith("aep.metrics.");
        if (clientKey && property.has("defaultValue")) {
          metadata.put(name, property.path("defaultValue").asText());
        }
      }
    }
    assertThat(metadata).isEqualTo(expected);
  }
}
