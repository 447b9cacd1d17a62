package dev.aepclient.examples;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Consumer settings for Amazon MSK. aep-client takes the {@code KafkaConsumer} you build, so every MSK
 * authentication works as in the rest of your code; these are the settings, nothing AWS-specific is in aep-client.
 */
public final class MskConsumerSettings {
  private MskConsumerSettings() {}

  /**
   * IAM access control (port 9098). Needs {@code software.amazon.msk:aws-msk-iam-auth} on your class path and AWS
   * credentials from the default chain (instance profile, IRSA, environment…).
   */
  public static Properties iam(String bootstrapServers, String groupId) {
    Properties props = base(bootstrapServers, groupId);
    props.put("security.protocol", "SASL_SSL");
    props.put("sasl.mechanism", "AWS_MSK_IAM");
    props.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
    props.put("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    return props;
  }

  /** SASL/SCRAM (port 9096), with the secret from AWS Secrets Manager or wherever you keep it. */
  public static Properties scram(String bootstrapServers, String groupId, String username, String password) {
    Properties props = base(bootstrapServers, groupId);
    props.put("security.protocol", "SASL_SSL");
    props.put("sasl.mechanism", "SCRAM-SHA-512");
    props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + username + "\" password=\"" + password + "\";");
    return props;
  }

  private static Properties base(String bootstrapServers, String groupId) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // the forwarder commits what AEP has settled
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return props;
  }
}
