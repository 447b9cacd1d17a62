/**
 * aep-client: stream JSON events into Adobe Experience Platform from the JVM. Start at
 * {@link dev.aepclient.AepStreamingClient#builder()}.
 */
package dev.aepclient;
