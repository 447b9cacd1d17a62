package dev.aepclient.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.micrometer.AepClientMetricsBinder;
import dev.aepclient.testkit.AepSimulator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;

/** The application overrides the starter's beans, or lacks one of the optional libraries. */
class AepStarterOverridesTest {
  private static AepSimulator aep;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(AepAutoConfiguration.class, AepKafkaAutoConfiguration.class,
          AepHealthAutoConfiguration.class, AepMetricsAutoConfiguration.class,
          HealthContributorAutoConfiguration.class))
      .withPropertyValues("aep.linger.ms=5");

  @BeforeAll
  static void startSimulator() {
    aep = AepSimulator.start();
  }

  @AfterAll
  static void stopSimulator() {
    aep.close();
  }

  private ApplicationContextRunner withInlet() {
    return runner.withPropertyValues("aep.inlet.url=" + aep.inletUrl());
  }

  private static Map<String, Object> consumerSettings() {
    return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9", ConsumerConfig.GROUP_ID_CONFIG, "g",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
  }

  @Test
  void anApplicationsOwnTypedForwarderIsStartedAndStoppedWithTheContext() {
    AtomicReference<AepKafkaForwarder<?, ?>> seen = new AtomicReference<>();
    withInlet().withUserConfiguration(OwnTypedForwarder.class)
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(AepKafkaForwarder.class)
              .hasSingleBean(AepKafkaForwarderLifecycle.class).hasBean("aepKafkaHealthIndicator");
          AepKafkaForwarderLifecycle lifecycle = context.getBean(AepKafkaForwarderLifecycle.class);
          assertThat(lifecycle.forwarder()).isSameAs(context.getBean("ownForwarder"));
          assertThat(lifecycle.isRunning()).isTrue();
          seen.set(lifecycle.forwarder());
        });
    assertThat(seen.get().isTerminated()).isTrue();
  }

  /** Whether {@code consumer} was closed: a closed KafkaConsumer refuses every call. */
  private static boolean isClosed(Consumer<?, ?> consumer) {
    try {
      consumer.assignment();
      return false;
    } catch (IllegalStateException e) {
      return e.getMessage().contains("closed");
    }
  }

  @Test
  void aForwarderThatNeverStartedClosesItsConsumerWhenStartUpFails() {
    ConsumersSeen consumers = new ConsumersSeen();
    withInlet().withBean(ConsumersSeen.class, () -> consumers)
        .withUserConfiguration(CountingConsumerFactory.class, FailsAfterTheForwarder.class)
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events", "aep.kafka.close-timeout=0s")
        .run(context -> assertThat(context).hasFailed());
    assertThat(consumers.created).hasSize(1);
    assertThat(isClosed(consumers.created.get(0))).as("the forwarder's consumer is closed").isTrue();
    assertThat(consumers.removed.get()).as("Spring Kafka's listeners told").isEqualTo(1);
  }

  @Test
  void aForwarderThatRanClosesItsConsumerAndTellsSpringKafkasListenersOnce() {
    ConsumersSeen consumers = new ConsumersSeen();
    withInlet().withBean(ConsumersSeen.class, () -> consumers)
        .withUserConfiguration(CountingConsumerFactory.class)
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events", "aep.kafka.close-timeout=0s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(AepKafkaForwarderLifecycle.class).isRunning()).isTrue();
        });
    assertThat(consumers.created).hasSize(1);
    assertThat(isClosed(consumers.created.get(0))).isTrue();
    assertThat(consumers.removed.get()).isEqualTo(1);
  }

  @Test
  void aTransactionalProducerFactoryForDeadLettersDoesNotRunInitTransactionsAtStartUp() {
    ConsumersSeen consumers = new ConsumersSeen();
    withInlet().withBean(ConsumersSeen.class, () -> consumers)
        .withUserConfiguration(CountingConsumerFactory.class, TransactionalProducerFactory.class)
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events", "aep.kafka.close-timeout=0s",
            "aep.kafka.dead-letter-topic=events.dlq")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(AepKafkaForwarderLifecycle.class).isRunning()).isTrue();
        });
  }

  @Test
  void withoutAepClientKafkaThereIsNoForwarderNorItsHealthEvenWhenEnabled() {
    withInlet().withClassLoader(new FilteredClassLoader(AepKafkaForwarder.class))
        .withUserConfiguration(CountingConsumerFactory.class)
        .withBean(ConsumersSeen.class, ConsumersSeen::new)
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(AepStreamingClient.class)
            .doesNotHaveBean(AepKafkaForwarderLifecycle.class).doesNotHaveBean("aepKafkaHealthIndicator")
            .hasBean("aepHealthIndicator"));
  }

  @Test
  void withoutMicrometerTheClientStillStarts() {
    withInlet().withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(AepStreamingClient.class)
            .doesNotHaveBean(AepClientMetricsBinder.class));
  }

  @Test
  void withMicrometerButWithoutAepClientMicrometerTheClientStartsWithoutMeters() {
    withInlet().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(AepClientMetricsBinder.class))
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(AepStreamingClient.class)
              .doesNotHaveBean(AepClientMetricsBinder.class);
          assertThat(context.getBean(MeterRegistry.class).find("aep.client.messages").meters()).isEmpty();
        });
  }

  @Test
  void withoutSpringBootHealthTheClientStillStarts() {
    withInlet().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(AepStreamingClient.class)
            .doesNotHaveBean("aepHealthIndicator"));
  }

  @Test
  void applicationsOwnMetricsBinderAndHealthIndicatorWin() {
    withInlet().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
        .withUserConfiguration(OwnObservability.class)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(AepClientMetricsBinder.class);
          assertThat(context.getBean(AepClientMetricsBinder.class)).isSameAs(context.getBean("ownBinder"));
          assertThat(context.getBean("aepHealthIndicator")).isSameAs(OwnObservability.HEALTH);
        });
  }

  /** Consumers the application's consumer factory created and closed (Spring Kafka's listener). */
  static final class ConsumersSeen implements ConsumerFactory.Listener<String, String> {
    final List<Consumer<String, String>> created = new CopyOnWriteArrayList<>();
    final AtomicInteger removed = new AtomicInteger();

    @Override
    public void consumerAdded(String id, Consumer<String, String> consumer) {
      created.add(consumer);
    }

    @Override
    public void consumerRemoved(String id, Consumer<String, String> consumer) {
      removed.incrementAndGet();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CountingConsumerFactory {
    @Bean
    ConsumerFactory<String, String> consumerFactory(ConsumersSeen consumers) {
      DefaultKafkaConsumerFactory<String, String> factory = new DefaultKafkaConsumerFactory<>(consumerSettings());
      factory.addListener(consumers);
      return factory;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TransactionalProducerFactory {
    @Bean
    ProducerFactory<String, String> producerFactory() {
      // Kafka is unreachable: a transactional producer's initTransactions would time out after max.block.ms.
      DefaultKafkaProducerFactory<String, String> factory = new DefaultKafkaProducerFactory<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9", ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
      factory.setTransactionIdPrefix("tx-");
      return factory;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class FailsAfterTheForwarder {
    @Bean
    Object failsAfterTheForwarder(AepKafkaForwarder<?, ?> forwarder) {
      throw new IllegalStateException("another bean of the application fails");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnTypedForwarder {
    @Bean(destroyMethod = "close")
    AepKafkaForwarder<String, String> ownForwarder(AepStreamingClient client) {
      Consumer<String, String> consumer = new DefaultKafkaConsumerFactory<String, String>(consumerSettings())
          .createConsumer();
      return AepKafkaForwarder.builder(consumer, client).topics("events").closeTimeout(Duration.ZERO).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnObservability {
    static final HealthIndicator HEALTH = () -> org.springframework.boot.health.contributor.Health.up().build();

    @Bean
    AepClientMetricsBinder ownBinder(AepStreamingClient client) {
      return new AepClientMetricsBinder(client, io.micrometer.core.instrument.Tags.of("client", "own"));
    }

    @Bean
    HealthIndicator aepHealthIndicator() {
      return HEALTH;
    }
  }
}
