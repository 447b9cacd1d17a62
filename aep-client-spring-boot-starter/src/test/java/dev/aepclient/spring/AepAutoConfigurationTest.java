package dev.aepclient.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.DeadLetterHandler;
import dev.aepclient.micrometer.AepClientMetricsBinder;
import dev.aepclient.micrometer.TimedAepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;

class AepAutoConfigurationTest {
  private static AepSimulator aep;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(AepAutoConfiguration.class, AepKafkaAutoConfiguration.class,
          AepHealthAutoConfiguration.class, AepMetricsAutoConfiguration.class));

  @BeforeAll
  static void startSimulator() {
    aep = AepSimulator.start();
  }

  @AfterAll
  static void stopSimulator() {
    aep.close();
  }

  private ApplicationContextRunner withInlet() {
    return runner.withPropertyValues("aep.inlet.url=" + aep.inletUrl(), "aep.linger.ms=5");
  }

  @Test
  void clientBeanDeliversAndIsClosedWithTheContext() throws Exception {
    AtomicReference<AepStreamingClient> seen = new AtomicReference<>();
    withInlet().run(context -> {
      assertThat(context).hasSingleBean(AepStreamingClient.class);
      AepStreamingClient client = context.getBean(AepStreamingClient.class);
      seen.set(client);
      long before = aep.acceptedCount();
      Delivery delivery = client.send(AepMessage.of("{\"hello\":\"spring\"}")).get(10, TimeUnit.SECONDS);
      assertThat(delivery.xactionId()).isNotBlank();
      assertThat(aep.acceptedCount()).isEqualTo(before + 1);
    });
    CompletableFuture<Delivery> afterClose = seen.get().send(AepMessage.of("{}"));
    assertThat(afterClose).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
        .withCauseInstanceOf(AepDeliveryException.class);
  }

  @Test
  void noClientWhenDisabled() {
    withInlet().withPropertyValues("aep.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(AepStreamingClient.class);
      assertThat(context).doesNotHaveBean("aepHealthIndicator");
    });
  }

  @Test
  void anApplicationsOwnClientWins() {
    withInlet().withUserConfiguration(OwnClient.class).run(context -> {
      assertThat(context).hasSingleBean(AepStreamingClient.class);
      assertThat(context.getBean(AepStreamingClient.class)).isSameAs(context.getBean("ownClient"));
    });
  }

  @Test
  void aMissingInletUrlFailsStartUpNamingTheProperty() {
    runner.run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("aep.inlet.url");
      AepConfigurationException failure = findCause(context.getStartupFailure(), AepConfigurationException.class);
      FailureAnalysis analysis = new AepConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis.getDescription()).contains("aep.inlet.url").contains(failure.getMessage());
      assertThat(analysis.getAction()).contains("aep.enabled=false");
    });
  }

  @Test
  void aMisspelledKeyFailsStartUpNamingIt() {
    withInlet().withPropertyValues("aep.batch.max.recordz=10").run(context -> {
      assertThat(context).hasFailed();
      assertThat(findCause(context.getStartupFailure(), AepConfigurationException.class))
          .hasMessageContaining("aep.batch.max.recordz");
    });
  }

  @Test
  void anOutOfRangeValueFailsStartUpNamingTheKey() {
    withInlet().withPropertyValues("aep.max.in.flight=0").run(context -> {
      assertThat(context).hasFailed();
      assertThat(findCause(context.getStartupFailure(), AepConfigurationException.class))
          .hasMessageContaining("aep.max.in.flight");
    });
  }

  @Test
  void clientHealthIsUpWithCounters() {
    withInlet().withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class)).run(context -> {
      assertThat(context).hasBean("aepHealthIndicator").doesNotHaveBean("aepKafkaHealthIndicator");
      HealthIndicator indicator = context.getBean("aepHealthIndicator", HealthIndicator.class);
      context.getBean(AepStreamingClient.class).send(AepMessage.of("{\"n\":1}")).get(10, TimeUnit.SECONDS);
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
      assertThat(indicator.health().getDetails()).containsEntry("delivered", 1L).containsEntry("bufferedBytes", 0L);
    });
  }

  @Test
  void healthIndicatorCanBeSwitchedOff() {
    withInlet().withPropertyValues("management.health.aep.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("aepHealthIndicator"));
  }

  @Test
  void metersAreBoundWhenTheApplicationHasAMeterRegistry() {
    withInlet().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class)).run(context -> {
          assertThat(context).hasSingleBean(AepClientMetricsBinder.class);
          context.getBean(AepStreamingClient.class).send(AepMessage.of("{\"n\":2}")).get(10, TimeUnit.SECONDS);
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.get("aep.client.messages").tag("outcome", "delivered").functionCounter().count())
              .isEqualTo(1.0);
          assertThat(registry.get("aep.client.messages.sent").functionCounter().count()).isEqualTo(1.0);
        });
  }

  @Test
  void theMessageTimerWrapsTheClientBeanWhenAskedFor() {
    ApplicationContextRunner metrics = withInlet().withConfiguration(AutoConfigurations.of(
        MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
        SimpleMetricsExportAutoConfiguration.class));
    metrics.run(context -> assertThat(context.getBean(AepStreamingClient.class))
        .isNotInstanceOf(TimedAepStreamingClient.class));
    metrics.withPropertyValues("aep.metrics.message-timer=true").run(context -> {
      assertThat(context).hasNotFailed();
      AepStreamingClient client = context.getBean(AepStreamingClient.class);
      assertThat(client).isInstanceOf(TimedAepStreamingClient.class);
      client.send(AepMessage.of("{\"n\":3}")).get(10, TimeUnit.SECONDS);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      // The timer stops in its own completion stage, which may run just after the caller's get() returned.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
          registry.get(TimedAepStreamingClient.TIMER_NAME).tag("outcome", "delivered").timer().count()).isEqualTo(1));
    });
  }

  @Test
  void noMetersWithoutAMeterRegistry() {
    withInlet().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AepClientMetricsBinder.class));
  }

  @Test
  void noForwarderUnlessKafkaIsEnabled() {
    withInlet().withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class)).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(AepKafkaForwarder.class).doesNotHaveBean(AepKafkaForwarderLifecycle.class);
    });
  }

  @Test
  void kafkaEnabledWithoutTopicsFailsStartUpNamingTheProperty() {
    withInlet().withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
        .withPropertyValues("aep.kafka.enabled=true", "spring.kafka.consumer.group-id=g").run(context -> {
          assertThat(context).hasFailed();
          assertThat(findCause(context.getStartupFailure(), AepConfigurationException.class))
              .hasMessageContaining("aep.kafka.topics");
        });
  }

  @Test
  void kafkaEnabledWithoutAGroupFailsStartUpNamingBothProperties() {
    withInlet().withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events").run(context -> {
          assertThat(context).hasFailed();
          assertThat(findCause(context.getStartupFailure(), AepConfigurationException.class))
              .hasMessageContaining("aep.kafka.group-id").hasMessageContaining("spring.kafka.consumer.group-id");
        });
  }

  @Test
  void kafkaEnabledRunsAForwarderFromTheApplicationsConsumerFactoryUntilTheContextCloses() {
    AtomicReference<AepKafkaForwarder<?, ?>> seen = new AtomicReference<>();
    withInlet().withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
            HealthContributorAutoConfiguration.class))
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events", "aep.kafka.group-id=g",
            "spring.kafka.bootstrap-servers=127.0.0.1:9", "aep.kafka.close-timeout=0s")
        .run(context -> {
          assertThat(context).hasSingleBean(AepKafkaForwarder.class).hasSingleBean(AepKafkaForwarderLifecycle.class)
              .hasBean("aepKafkaHealthIndicator");
          AepKafkaForwarderLifecycle lifecycle = context.getBean(AepKafkaForwarderLifecycle.class);
          seen.set(lifecycle.forwarder());
          assertThat(lifecycle.isRunning()).isTrue();
          HealthIndicator indicator = context.getBean("aepKafkaHealthIndicator", HealthIndicator.class);
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
          assertThat(indicator.health().getDetails()).containsKeys("polled", "delivered", "lag", "pausedPartitions");
        });
    assertThat(seen.get().isTerminated()).isTrue();
    assertThat(seen.get().failure()).isEmpty();
  }

  @Test
  void aDeadLetterTopicBesideTheApplicationsOwnHandlerFailsStartUp() {
    withInlet().withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
        .withUserConfiguration(OwnDeadLetterHandler.class)
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events", "aep.kafka.group-id=g",
            "aep.kafka.dead-letter-topic=events.dlq")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(findCause(context.getStartupFailure(), AepConfigurationException.class))
              .hasMessageContaining("aep.kafka.dead-letter-topic").hasMessageContaining("DeadLetterHandler");
        });
  }

  @Test
  void withoutSpringKafkaThereIsNoForwarderEvenWhenEnabled() {
    withInlet().withClassLoader(new FilteredClassLoader(ConsumerFactory.class))
        .withPropertyValues("aep.kafka.enabled=true", "aep.kafka.topics=events")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AepKafkaForwarderLifecycle.class));
  }

  private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnDeadLetterHandler {
    @Bean
    DeadLetterHandler<Object, Object> ownHandler() {
      return letter -> CompletableFuture.completedFuture(null);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClient {
    @Bean(destroyMethod = "close")
    AepStreamingClient ownClient() {
      return AepStreamingClient.builder().inletUrl(aep.inletUrl()).build();
    }
  }
}
