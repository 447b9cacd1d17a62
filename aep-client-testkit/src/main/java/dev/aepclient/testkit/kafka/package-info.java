/**
 * {@link dev.aepclient.testkit.kafka.EmbeddedKafkaBroker}: a real single-node KRaft broker inside the test JVM, no
 * Docker. Needs {@code org.apache.kafka:kafka_2.13} on the test class path, of the same version as the
 * {@code kafka-clients} beside it.
 */
package dev.aepclient.testkit.kafka;
