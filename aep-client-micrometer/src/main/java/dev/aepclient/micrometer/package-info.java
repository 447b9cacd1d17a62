/**
 * Micrometer meters for an {@link dev.aepclient.AepStreamingClient} ({@link dev.aepclient.micrometer.AepClientMetricsBinder})
 * and a Kafka forwarder or bridge ({@link dev.aepclient.micrometer.AepKafkaMetricsBinder}), plus
 * {@link dev.aepclient.micrometer.TimedAepStreamingClient} for a send-to-outcome {@link io.micrometer.core.instrument.Timer}.
 * Meter names, units and tags are listed in the README, section "Metrics (Micrometer)".
 */
package dev.aepclient.micrometer;
