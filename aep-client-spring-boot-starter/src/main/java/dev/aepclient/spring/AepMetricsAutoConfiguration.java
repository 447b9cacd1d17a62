package dev.aepclient.spring;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.micrometer.AepClientMetricsBinder;
import dev.aepclient.micrometer.AepKafkaMetricsBinder;
import dev.aepclient.micrometer.TimedAepStreamingClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When the application has a {@link MeterRegistry} and {@code aep-client-micrometer}: the client's and the forwarder's
 * meters ({@code aep.client.*}, {@code aep.kafka.*}) as {@link io.micrometer.core.instrument.binder.MeterBinder} beans,
 * which Spring Boot's metrics auto-configuration binds to every registry; with {@code aep.metrics.message-timer=true}
 * also the per-message timer {@code aep.client.message.latency}.
 */
@AutoConfiguration(after = {AepAutoConfiguration.class, AepKafkaAutoConfiguration.class},
    afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, AepClientMetricsBinder.class})
@ConditionalOnBean(MeterRegistry.class)
public class AepMetricsAutoConfiguration {

  /**
   * With {@code aep.metrics.message-timer=true}: wraps the client bean in a {@link TimedAepStreamingClient}, before it
   * is injected anywhere, so every message sent through it (the forwarder's included) is timed.
   */
  @Bean
  @ConditionalOnBooleanProperty("aep.metrics.message-timer")
  public static BeanPostProcessor aepMessageTimerPostProcessor(ObjectProvider<MeterRegistry> registry) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof AepStreamingClient client && !(bean instanceof TimedAepStreamingClient)) {
          return new TimedAepStreamingClient(client, registry.getObject(), Tags.empty());
        }
        return bean;
      }
    };
  }

  /** The client's meters. */
  @Bean
  @ConditionalOnBean(AepStreamingClient.class)
  @ConditionalOnMissingBean
  public AepClientMetricsBinder aepClientMetricsBinder(AepStreamingClient client) {
    return new AepClientMetricsBinder(client, Tags.empty());
  }

  /** The forwarder's meters, when there is one. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({AepKafkaForwarder.class, AepKafkaMetricsBinder.class})
  static class ForwarderMetricsConfiguration {
    @Bean
    @ConditionalOnBean(AepKafkaForwarder.class)
    @ConditionalOnMissingBean
    AepKafkaMetricsBinder aepKafkaMetricsBinder(AepKafkaForwarder<?, ?> forwarder) {
      return AepKafkaMetricsBinder.of(forwarder, Tags.empty());
    }
  }
}
