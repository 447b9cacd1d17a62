package dev.aepclient.spring;

import dev.aepclient.AepStreamingClient;
import dev.aepclient.kafka.AepKafkaForwarder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health indicators (with {@code spring-boot-health}, e.g. through the actuator): {@code aep} for the client and
 * {@code aepKafka} for the forwarder. Switch them off with {@code management.health.aep.enabled=false}.
 */
@AutoConfiguration(after = {AepAutoConfiguration.class, AepKafkaAutoConfiguration.class})
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("aep")
public class AepHealthAutoConfiguration {

  /** The client's health. */
  @Bean
  @ConditionalOnBean(AepStreamingClient.class)
  @ConditionalOnMissingBean(name = "aepHealthIndicator")
  public HealthIndicator aepHealthIndicator(AepStreamingClient client) {
    return new AepClientHealthIndicator(client);
  }

  /** The forwarder's health, when there is one. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(AepKafkaForwarder.class)
  static class ForwarderHealthConfiguration {
    @Bean
    @ConditionalOnBean(AepKafkaForwarderLifecycle.class)
    @ConditionalOnMissingBean(name = "aepKafkaHealthIndicator")
    HealthIndicator aepKafkaHealthIndicator(AepKafkaForwarderLifecycle lifecycle) {
      return new AepKafkaForwarderHealthIndicator(lifecycle);
    }
  }
}
