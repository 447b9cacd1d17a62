/**
 * Spring Boot auto-configuration for aep-client: an {@link dev.aepclient.AepStreamingClient} bean built from the
 * {@code aep.*} properties (the same keys as the README's configuration table), an optional Kafka forwarder run as a
 * {@link org.springframework.context.SmartLifecycle}, health indicators and Micrometer meters. The auto-configuration
 * classes are not meant to be used directly; {@link dev.aepclient.spring.AepProperties} documents the starter's own
 * settings.
 */
package dev.aepclient.spring;
