package dev.aepclient.spring;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.DeadLetterHandler;
import dev.aepclient.kafka.KafkaDeadLetterHandler;
import dev.aepclient.kafka.RecordMapper;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * With {@code aep.kafka.enabled=true}: an {@link AepKafkaForwarder} over a consumer from the application's Spring
 * Kafka {@link ConsumerFactory} (so every {@code spring.kafka.*} setting, TLS/SASL/MSK IAM included, applies), with
 * {@code enable.auto.commit=false} forced, forwarding {@code aep.kafka.topics} to the client bean, started and stopped
 * with the context by {@link AepKafkaForwarderLifecycle}. With {@code aep.kafka.dead-letter-topic}, rejected and
 * unmappable records go to that topic through the application's {@link ProducerFactory}. An application's own
 * {@link RecordMapper} bean replaces the default mapper (the value as JSON: {@code String}, {@code byte[]} or
 * {@code JsonNode}); its own {@link DeadLetterHandler} bean is used when no dead-letter topic is set.
 */
@AutoConfiguration(after = AepAutoConfiguration.class,
    afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass({AepKafkaForwarder.class, ConsumerFactory.class})
@ConditionalOnBooleanProperty("aep.kafka.enabled")
@ConditionalOnBean(AepStreamingClient.class)
public class AepKafkaAutoConfiguration implements DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(AepKafkaAutoConfiguration.class);

  /**
   * The consumer given to the forwarder. The forwarder closes it only when its loop ran; when start-up fails after
   * the forwarder was built (or it never started), nothing else would. Closed again here, after the forwarder bean
   * (this configuration is destroyed after the beans it made): a no-op when the loop closed it, and the no-argument
   * {@code close()} also tells Spring Kafka's consumer listeners (e.g. its Micrometer one) that it is gone.
   */
  private volatile Consumer<?, ?> consumer;

  /**
   * The forwarder (not yet started).
   *
   * @throws AepConfigurationException when no topic or no consumer group is set, or a dead-letter topic is set
   *     without a {@link ProducerFactory} or beside a {@link DeadLetterHandler} bean
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(AepKafkaForwarder.class) // any forwarder of the application's, whatever its types
  @SuppressWarnings("unchecked")
  public AepKafkaForwarder<Object, Object> aepKafkaForwarder(AepProperties properties,
      AepStreamingClient client, ObjectProvider<ConsumerFactory<?, ?>> consumerFactories,
      ObjectProvider<ProducerFactory<?, ?>> producerFactories, ObjectProvider<RecordMapper<?, ?>> mappers,
      ObjectProvider<DeadLetterHandler<?, ?>> deadLetterHandlers, Environment environment) {
    try {
      AepClientProperties.requireKnownStarterKeys(environment); // also when the application built its own client
    } catch (IllegalArgumentException e) {
      throw new AepConfigurationException(e.getMessage(), e);
    }
    AepProperties.Kafka settings = properties.getKafka();
    if (settings.getTopics() == null || settings.getTopics().isEmpty()) {
      throw new AepConfigurationException("aep.kafka.enabled=true but aep.kafka.topics is empty: list the topics "
          + "to forward", null);
    }
    ConsumerFactory<Object, Object> consumerFactory = (ConsumerFactory<Object, Object>) consumerFactories.getIfAvailable();
    if (consumerFactory == null) {
      throw new AepConfigurationException("aep.kafka.enabled=true but the application has no Spring Kafka "
          + "ConsumerFactory: add spring-boot-kafka (or define a ConsumerFactory bean) and set spring.kafka.*", null);
    }
    String groupId = settings.getGroupId();
    if (groupId == null && consumerFactory.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG) == null) {
      throw new AepConfigurationException("the forwarder has no consumer group: set aep.kafka.group-id or "
          + "spring.kafka.consumer.group-id", null);
    }
    DeadLetterHandler<Object, Object> deadLetters = deadLetterHandler(settings,
        (DeadLetterHandler<Object, Object>) deadLetterHandlers.getIfAvailable(),
        (ProducerFactory<Object, Object>) producerFactories.getIfAvailable());
    RecordMapper<Object, Object> mapper = (RecordMapper<Object, Object>) mappers.getIfAvailable();

    Properties overrides = new Properties();
    // The forwarder commits what is settled; an auto-commit would commit records AEP has not accepted yet.
    overrides.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Consumer<Object, Object> consumer = consumerFactory.createConsumer(groupId, null, null, overrides);
    this.consumer = consumer;
    try {
      AepKafkaForwarder.Builder<Object, Object> builder = AepKafkaForwarder.builder(consumer, client)
          .topics(settings.getTopics())
          .pollTimeout(settings.getPollTimeout())
          .closeTimeout(settings.getCloseTimeout())
          .commitInterval(settings.getCommitInterval());
      if (mapper != null) {
        builder.mapper(mapper);
      }
      if (deadLetters != null) {
        builder.deadLetterHandler(deadLetters);
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      consumer.close();
      throw new AepConfigurationException(e.getMessage(), e);
    }
  }

  /** The application's handler, or one writing to {@code aep.kafka.dead-letter-topic}, or null for none. */
  private static DeadLetterHandler<Object, Object> deadLetterHandler(AepProperties.Kafka settings,
      DeadLetterHandler<Object, Object> own, ProducerFactory<Object, Object> producerFactory) {
    String topic = settings.getDeadLetterTopic();
    if (own != null && topic != null) {
      throw new AepConfigurationException("both aep.kafka.dead-letter-topic and a DeadLetterHandler bean are set: "
          + "keep one", null);
    }
    if (own != null || topic == null) {
      return own;
    }
    if (producerFactory == null) {
      throw new AepConfigurationException("aep.kafka.dead-letter-topic is set but the application has no Spring "
          + "Kafka ProducerFactory to write it with", null);
    }
    // A transactional factory's producer would run initTransactions (blocking start-up while Kafka is unreachable)
    // and refuse sends outside a transaction; dead letters need neither: the forwarder commits offsets itself.
    return KafkaDeadLetterHandler.to(producerFactory.transactionCapable()
        ? producerFactory.createNonTransactionalProducer() : producerFactory.createProducer(), topic);
  }

  /** Starts the forwarder with the context and stops it (draining and committing) before the client closes. */
  @Bean
  @ConditionalOnMissingBean
  public AepKafkaForwarderLifecycle aepKafkaForwarderLifecycle(AepKafkaForwarder<?, ?> forwarder) {
    return new AepKafkaForwarderLifecycle(forwarder);
  }

  /** Closes the forwarder's consumer if its loop did not (see {@link #consumer}). */
  @Override
  public void destroy() {
    Consumer<?, ?> created = consumer;
    if (created == null) {
      return;
    }
    try {
      created.close();
    } catch (RuntimeException e) {
      log.warn("closing the forwarder's Kafka consumer failed: {}", e.toString());
    }
  }
}
