package dev.aepclient.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The README's meter table lists exactly the meters the binders and the timed client register. */
class MeterTableTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\| ([a-z ]+) \\| ([a-z]+) \\|([^|]*)\\|.*");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  /** name -> "type | unit | tags", tags as key=[values] (values only where the README lists them). */
  private static Map<String, String> readmeTable() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("## Metrics (Micrometer)");
    assertThat(start).as("README section Metrics (Micrometer)").isNotNegative();
    int end = readme.indexOf("\n## ", start + 3);
    Map<String, String> table = new TreeMap<>();
    for (String line : readme.substring(start, end).lines().toList()) {
      Matcher row = ROW.matcher(line);
      if (!row.matches()) {
        continue;
      }
      String tags = "";
      List<String> codes = CODE.matcher(row.group(4)).results().map(r -> r.group(1)).toList();
      if (!codes.isEmpty()) {
        tags = codes.get(0) + "=" + new TreeSet<>(codes.subList(1, codes.size()));
      }
      table.put(row.group(1), row.group(2) + " | " + row.group(3) + " | " + tags);
    }
    return table;
  }

  private static String type(Meter meter) {
    if (meter instanceof FunctionCounter) {
      return "counter";
    } else if (meter instanceof TimeGauge) {
      return "time gauge";
    } else if (meter instanceof Gauge) {
      return "gauge";
    } else if (meter instanceof Timer) {
      return "timer";
    } else if (meter instanceof FunctionTimer) {
      return "function timer";
    }
    return meter.getClass().getSimpleName();
  }

  /** The registry's meters in the README's form; a timer's tag values are left out when the README omits them. */
  private static Map<String, String> registered(MeterRegistry registry, Map<String, String> readme) {
    Map<String, TreeSet<String>> tagValues = new TreeMap<>();
    Map<String, String> typeAndUnit = new TreeMap<>();
    Map<String, String> tagKey = new TreeMap<>();
    for (Meter meter : registry.getMeters()) {
      String name = meter.getId().getName();
      if (name.endsWith(".percentile")) {
        continue; // the timer's published percentiles, checked below
      }
      typeAndUnit.put(name, type(meter) + " | " + meter.getId().getBaseUnit());
      tagValues.computeIfAbsent(name, n -> new TreeSet<>());
      for (Tag tag : meter.getId().getTagsAsIterable()) {
        tagKey.put(name, tag.getKey());
        tagValues.get(name).add(tag.getValue());
      }
    }
    Map<String, String> table = new TreeMap<>();
    typeAndUnit.forEach((name, prefix) -> {
      String tags = "";
      if (tagKey.containsKey(name)) {
        boolean valuesListed = !readme.getOrDefault(name, "").endsWith("=[]");
        tags = tagKey.get(name) + "=" + (valuesListed ? tagValues.get(name) : new TreeSet<>());
      }
      table.put(name, prefix + " | " + tags);
    });
    return table;
  }

  @Test
  void readmeTableListsExactlyTheRegisteredMetersWithTheirTypesUnitsAndTags() throws IOException {
    Properties consumerSettings = new Properties();
    consumerSettings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
    consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    MeterRegistry registry = new SimpleMeterRegistry();
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl("http://127.0.0.1:9/collection/x")
            .allowInsecureHttp(true).build();
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(),
            new StringDeserializer())) {
      AepKafkaForwarder<String, String> forwarder = AepKafkaForwarder.builder(consumer, client).topics("t").build();
      AepClientMetricsBinder clientBinder = new AepClientMetricsBinder(client, Tags.empty());
      clientBinder.bindTo(registry);
      AepKafkaMetricsBinder kafkaBinder = AepKafkaMetricsBinder.of(forwarder, Tags.empty());
      kafkaBinder.bindTo(registry);
      new TimedAepStreamingClient(client, registry, Tags.empty());

      Map<String, String> readme = readmeTable();
      assertThat(readme).hasSizeGreaterThanOrEqualTo(10);
      assertThat(registered(registry, readme)).isEqualTo(readme);
      assertThat(registry.find(TimedAepStreamingClient.TIMER_NAME + ".percentile").tag("outcome", "delivered")
          .gauges()).extracting(g -> g.getId().getTag("phi")).containsExactlyInAnyOrder("0.5", "0.95", "0.99");
      assertThat(registry.find("aep.client.request.duration.percentile").timeGauges())
          .extracting(g -> g.getId().getTag("phi")).containsExactlyInAnyOrder("0.5", "0.99");

      // Closing the binders removes exactly their meters: the timer's stay.
      clientBinder.close();
      kafkaBinder.close();
      assertThat(registry.getMeters()).isNotEmpty().allSatisfy(meter ->
          assertThat(meter.getId().getName()).startsWith(TimedAepStreamingClient.TIMER_NAME));
    }
  }
}
