package dev.aepclient.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's own settings under {@code aep} ({@code aep.enabled}, {@code aep.kafka.*}, {@code aep.metrics.*}). Every other {@code aep.*} key is a client setting and is passed to
 * {@link dev.aepclient.AepStreamingClient#fromProperties(java.util.Properties)} unchanged, so {@code application.yml}
 * uses exactly the keys of the README's configuration table ({@code aep.inlet.url}, {@code aep.auth.client.id},
 * {@code aep.batch.max.records}, …; the Adobe connector's keys work too). Those keys are listed for IDE completion in
 * the configuration metadata; they are not fields here because several are both a value and a prefix
 * ({@code aep.sandbox} and {@code aep.sandbox.header}, {@code aep.auth.private.key} and
 * {@code aep.auth.private.key.file}), which a Java bean cannot express.
 *
 * <p>Not thread-safe; bound once at start-up.
 */
@ConfigurationProperties("aep")
public class AepProperties {
  /** Whether to auto-configure the client. Default true. */
  private boolean enabled = true;

  /** The Kafka forwarder. */
  private final Kafka kafka = new Kafka();

  /** Metrics beyond the default meters. */
  private final Metrics metrics = new Metrics();

  /** Whether to auto-configure the client; default {@code true}. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets {@link #isEnabled()}. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The Kafka forwarder's settings. */
  public Kafka getKafka() {
    return kafka;
  }

  /** The metrics settings. */
  public Metrics getMetrics() {
    return metrics;
  }

  /** Metrics settings ({@code aep.metrics.*}); the default meters need none. */
  public static class Metrics {
    /**
     * Whether to time every message from send to outcome in the aep.client.message.latency timer (percentiles 0.5,
     * 0.95, 0.99); costs a clock read and a completion stage per message. Default false.
     */
    private boolean messageTimer;

    /** Whether the client bean is wrapped in a {@code TimedAepStreamingClient}; default {@code false}. */
    public boolean isMessageTimer() {
      return messageTimer;
    }

    /** Sets {@link #isMessageTimer()}. */
    public void setMessageTimer(boolean messageTimer) {
      this.messageTimer = messageTimer;
    }
  }

  /**
   * The forwarder's settings ({@code aep.kafka.*}): it reads {@link #getTopics()} through the application's Spring
   * Kafka {@code ConsumerFactory} ({@code spring.kafka.*} settings: bootstrap servers, security, deserializers).
   */
  public static class Kafka {
    /** Whether to forward Kafka topics to AEP (needs spring-kafka and aep-client-kafka). Default false. */
    private boolean enabled;

    /** Topics to forward; required when enabled. */
    private List<String> topics = new ArrayList<>();

    /** Consumer group id; default spring.kafka.consumer.group-id. */
    private String groupId;

    /** Topic that receives rejected and unmappable records (needs a ProducerFactory); none by default. */
    private String deadLetterTopic;

    /** How long one poll waits for records. */
    private Duration pollTimeout = Duration.ofMillis(100);

    /** How long stopping waits for records in flight before the final commit. */
    private Duration closeTimeout = Duration.ofSeconds(30);

    /** How often settled offsets are committed. */
    private Duration commitInterval = Duration.ofSeconds(1);

    /** Whether to forward; default {@code false}. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@link #isEnabled()}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The topics to forward. */
    public List<String> getTopics() {
      return topics;
    }

    /** Sets {@link #getTopics()}. */
    public void setTopics(List<String> topics) {
      this.topics = topics;
    }

    /** The consumer group id, or null for {@code spring.kafka.consumer.group-id}. */
    public String getGroupId() {
      return groupId;
    }

    /** Sets {@link #getGroupId()}. */
    public void setGroupId(String groupId) {
      this.groupId = groupId;
    }

    /** The dead-letter topic, or null for none. */
    public String getDeadLetterTopic() {
      return deadLetterTopic;
    }

    /** Sets {@link #getDeadLetterTopic()}. */
    public void setDeadLetterTopic(String deadLetterTopic) {
      this.deadLetterTopic = deadLetterTopic;
    }

    /** The poll timeout; default 100 ms. */
    public Duration getPollTimeout() {
      return pollTimeout;
    }

    /** Sets {@link #getPollTimeout()}. */
    public void setPollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
    }

    /** The close timeout; default 30 s. */
    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    /** Sets {@link #getCloseTimeout()}. */
    public void setCloseTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
    }

    /** The commit interval; default 1 s. */
    public Duration getCommitInterval() {
      return commitInterval;
    }

    /** Sets {@link #getCommitInterval()}. */
    public void setCommitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
    }
  }
}
