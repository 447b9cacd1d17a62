package dev.aepclient.spring;

import dev.aepclient.AepStreamingClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * An {@link AepStreamingClient} bean from the {@code aep.*} properties, unless the application defines its own or sets
 * {@code aep.enabled=false}. The bean is closed when the context closes: {@code close()} delivers what is buffered
 * (up to the delivery timeout), fails what is left with {@code CLOSED}, and stops the client's threads.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "aep.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AepProperties.class)
public class AepAutoConfiguration {

  /**
   * The client, built by {@link AepStreamingClient#fromProperties(java.util.Properties)}.
   *
   * @throws AepConfigurationException naming the property when the settings are missing, unknown or out of range
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public AepStreamingClient aepStreamingClient(Environment environment) {
    try {
      return AepStreamingClient.fromProperties(AepClientProperties.from(environment));
    } catch (IllegalArgumentException e) {
      throw new AepConfigurationException(e.getMessage(), e);
    }
  }
}
