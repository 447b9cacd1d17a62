/**
 * Forward a Kafka topic to AEP at least once, inside your own application: {@link dev.aepclient.kafka.AepKafkaForwarder}
 * runs its own poll loop; {@link dev.aepclient.kafka.AepKafkaBridge} plugs into yours. An offset is committed only
 * when its record and every earlier one of its partition are settled. Records AEP rejects, or that cannot be mapped
 * to a message, go to a {@link dev.aepclient.kafka.DeadLetterHandler}, for example
 * {@link dev.aepclient.kafka.KafkaDeadLetterHandler}. Needs {@code org.apache.kafka:kafka-clients} 3.x or 4.x on the
 * class path (your own; at least 3.9.2, 4.0.2 or 4.1.2, which fix CVE-2026-35554).
 */
package dev.aepclient.kafka;
