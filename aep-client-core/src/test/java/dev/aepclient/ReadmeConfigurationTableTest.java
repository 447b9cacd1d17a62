package dev.aepclient;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.internal.config.PropertiesConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's client configuration table (under "## Configuration"; the Connect section has a key table of its own)
 * states the builder's {@code DEFAULT_*} constants, every one of them, and lists every key the client reads.
 */
class ReadmeConfigurationTableTest {
  private static final Pattern KEY = Pattern.compile("`(aep\\.[a-z.]+)`");
  /** A default stated in the meaning column: "(up to `aep.buffer.max.block.ms`, default 60000)". */
  private static final Pattern DEFAULT_IN_MEANING = Pattern.compile("`(aep\\.[a-z.]+)`, default ([^)\\s,]+)");

  /** Each key with a default, and the builder constant that holds it. */
  private static final Map<String, String> CONSTANT_OF_KEY = new LinkedHashMap<>();

  static {
    CONSTANT_OF_KEY.put("aep.ims.url", "DEFAULT_IMS_URL");
    CONSTANT_OF_KEY.put("aep.sandbox.header", "DEFAULT_SANDBOX_HEADER");
    CONSTANT_OF_KEY.put("aep.batch.max.records", "DEFAULT_MAX_BATCH_RECORDS");
    CONSTANT_OF_KEY.put("aep.batch.max.bytes", "DEFAULT_MAX_BATCH_BYTES");
    CONSTANT_OF_KEY.put("aep.max.request.bytes", "DEFAULT_MAX_REQUEST_BYTES");
    CONSTANT_OF_KEY.put("aep.linger.ms", "DEFAULT_LINGER_MS");
    CONSTANT_OF_KEY.put("aep.max.in.flight", "DEFAULT_MAX_IN_FLIGHT_REQUESTS");
    CONSTANT_OF_KEY.put("aep.max.in.flight.adaptive", "DEFAULT_ADAPTIVE_CONCURRENCY");
    CONSTANT_OF_KEY.put("aep.buffer.max.bytes", "DEFAULT_MAX_BUFFERED_BYTES");
    CONSTANT_OF_KEY.put("aep.buffer.full.policy", "DEFAULT_BUFFER_FULL_POLICY");
    CONSTANT_OF_KEY.put("aep.buffer.max.block.ms", "DEFAULT_MAX_BLOCK_MS");
    CONSTANT_OF_KEY.put("aep.delivery.timeout.ms", "DEFAULT_DELIVERY_TIMEOUT_MS");
    CONSTANT_OF_KEY.put("aep.request.timeout.ms", "DEFAULT_REQUEST_TIMEOUT_MS");
    CONSTANT_OF_KEY.put("aep.connect.timeout.ms", "DEFAULT_CONNECT_TIMEOUT_MS");
    CONSTANT_OF_KEY.put("aep.retry.backoff.ms", "DEFAULT_RETRY_BACKOFF_MS");
    CONSTANT_OF_KEY.put("aep.retry.backoff.max.ms", "DEFAULT_RETRY_BACKOFF_MAX_MS");
    CONSTANT_OF_KEY.put("aep.gzip", "DEFAULT_GZIP");
    CONSTANT_OF_KEY.put("aep.http.protocol", "DEFAULT_HTTP_PROTOCOL");
    CONSTANT_OF_KEY.put("aep.sync.validation", "DEFAULT_SYNC_VALIDATION");
    CONSTANT_OF_KEY.put("aep.allow.insecure.http", "DEFAULT_ALLOW_INSECURE_HTTP");
  }

  @Test
  void everyDefaultInTheTableIsTheBuildersConstant() throws Exception {
    Map<String, String> readme = readmeDefaults();
    Map<String, String> expected = new TreeMap<>();
    Map<String, String> stated = new TreeMap<>();
    for (Map.Entry<String, String> key : CONSTANT_OF_KEY.entrySet()) {
      expected.put(key.getKey(), asReadmeWrites(AepStreamingClientBuilder.class.getField(key.getValue()).get(null)));
      stated.put(key.getKey(), readme.get(key.getKey()));
    }
    assertThat(stated).isEqualTo(expected);
  }

  @Test
  void everyDefaultConstantIsInTheTable() {
    List<String> constants = new ArrayList<>();
    for (Field field : AepStreamingClientBuilder.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getName().startsWith("DEFAULT_")) {
        constants.add(field.getName());
      }
    }
    assertThat(constants).hasSizeGreaterThan(15).containsExactlyInAnyOrderElementsOf(CONSTANT_OF_KEY.values());
  }

  @Test
  void theTableListsEveryKeyTheClientReads() throws Exception {
    assertThat(readmeDefaults().keySet()).isEqualTo(new TreeSet<>(PropertiesConfig.knownKeys()));
  }

  /** A constant as the table writes it: strings and enum names in backticks, numbers and booleans plain. */
  private static String asReadmeWrites(Object value) {
    if (value instanceof String || value instanceof Enum<?>) {
      return "`" + value + "`";
    }
    return String.valueOf(value);
  }

  /** Every key of the client's table, with the default its row states ("" when none is written). */
  private static Map<String, String> readmeDefaults() throws Exception {
    Map<String, String> defaults = new TreeMap<>();
    boolean inSection = false;
    boolean inTable = false;
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
        String[] cells = line.split("\\|", -1); // "", keys, default, meaning, ""
        List<String> keys = new ArrayList<>();
        Matcher m = KEY.matcher(cells[1]);
        while (m.find()) {
          keys.add(m.group(1));
        }
        String[] values = cells[2].trim().split(",\\s*", -1);
        for (int i = 0; i < keys.size(); i++) {
          // one value per key, or one value for all of them ("none" for the proxy keys)
          defaults.put(keys.get(i), values.length == keys.size() ? values[i].trim() : cells[2].trim());
        }
        Matcher inMeaning = DEFAULT_IN_MEANING.matcher(cells[3]);
        while (inMeaning.find()) {
          defaults.put(inMeaning.group(1), inMeaning.group(2));
        }
      }
    }
    assertThat(defaults).as("the README's client configuration table").hasSizeGreaterThan(30)
        .containsKeys("aep.inlet.url", "aep.linger.ms", "aep.buffer.max.block.ms");
    return defaults;
  }
}
