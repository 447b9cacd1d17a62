package dev.aepclient.examples.bench;

import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * An {@link EmbeddedKafkaBroker} in a JVM of its own, for benchmarks that keep the broker's CPU out of the measured
 * process (as MSK is out of a forwarder's). Prints {@code kafka bootstrap=HOST:PORT} once the broker is up, then
 * answers commands on standard input, one per line: {@code topic NAME PARTITIONS} creates a topic and waits for its
 * leaders (answers {@code ok topic NAME}). Stops the broker when standard input closes.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      System.out.println("kafka bootstrap=" + kafka.bootstrapServers());
      for (String line; (line = commands.readLine()) != null; ) {
        String[] words = line.trim().split("\\s+");
        if (words.length == 3 && words[0].equals("topic")) {
          kafka.createTopic(words[1], Integer.parseInt(words[2]));
          System.out.println("ok topic " + words[1]);
        } else if (!line.isBlank()) {
          System.out.println("error unknown command: " + line);
        }
      }
    }
  }
}
