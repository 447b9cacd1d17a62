/**
 * A Kafka Connect sink to Adobe Experience Platform on aep-client-core: {@link dev.aepclient.connect.AepSinkConnector}
 * (the class to name in {@code connector.class}), its task and its settings ({@link dev.aepclient.connect.AepSinkConfig}),
 * which include the Adobe sink connector's keys unchanged.
 */
package dev.aepclient.connect;
