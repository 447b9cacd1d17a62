package dev.aepclient.examples.bench;

import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * An {@link EmbeddedKafkaBroker} in a JVM of its own, for benchmarks that keep the broker's CPU out of the measured
 * process (as MSK is out of a forwarder's). Standard output carries only the replies (everything else, the broker's
 * logging included, goes to standard error): {@code kafka bootstrap=HOST:PORT} once the broker is up, then one reply
 * per command read from standard input: {@code topic NAME PARTITIONS} creates a topic and waits for its leaders
 * ({@code ok topic NAME}, or {@code error …}). Stops the broker when standard input closes (the parent ended).
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream replies = System.out;
    System.setOut(System.err);
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      replies.println("kafka bootstrap=" + kafka.bootstrapServers());
      replies.flush();
      for (String line; (line = commands.readLine()) != null; ) {
        String[] words = line.trim().split("\\s+");
        try {
          if (words.length == 3 && words[0].equals("topic")) {
            kafka.createTopic(words[1], Integer.parseInt(words[2]));
            replies.println("ok topic " + words[1]);
          } else {
            replies.println("error unknown command: " + line);
          }
        } catch (RuntimeException e) {
          replies.println("error " + e);
        }
        replies.flush();
      }
    }
  }
}
