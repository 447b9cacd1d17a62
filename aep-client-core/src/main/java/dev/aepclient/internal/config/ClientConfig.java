package dev.aepclient.internal.config;

import dev.aepclient.AepAuth;
import dev.aepclient.BufferFullPolicy;
import dev.aepclient.DeliveryListener;
import dev.aepclient.HttpProtocol;
import dev.aepclient.internal.http.InletEndpoint;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** The validated, immutable configuration a client is built from (see {@code AepStreamingClientBuilder}). */
public record ClientConfig(
    String clientName,
    InletEndpoint endpoint,
    AepAuth auth,
    HttpUrl imsUrl,
    String sandbox,
    String sandboxHeader,
    String orgId,
    String apiKey,
    String flowId,
    Map<String, String> headers,
    int maxBatchRecords,
    int maxBatchBytes,
    int maxRequestBytes,
    Duration linger,
    int maxInFlightRequests,
    long maxBufferedBytes,
    BufferFullPolicy bufferFullPolicy,
    Duration maxBlock,
    Duration deliveryTimeout,
    Duration requestTimeout,
    Duration connectTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    boolean gzip,
    Double maxRequestsPerSecond,
    boolean syncValidation,
    OkHttpClient httpClient,
    String proxyHost,
    int proxyPort,
    String proxyUser,
    String proxyPassword,
    DeliveryListener deliveryListener,
    boolean adaptiveConcurrency,
    HttpProtocol httpProtocol) {

  @Override
  public String toString() {
    return "ClientConfig[" + clientName + ", inlet=" + endpoint + ", auth=" + auth + ", sandbox=" + sandbox
        + ", maxBatchRecords=" + maxBatchRecords + ", maxBatchBytes=" + maxBatchBytes + ", linger=" + linger
        + ", maxInFlightRequests=" + maxInFlightRequests + (adaptiveConcurrency ? " (adaptive)" : " (fixed)") + ", maxBufferedBytes=" + maxBufferedBytes
        + ", bufferFullPolicy=" + bufferFullPolicy + ", deliveryTimeout=" + deliveryTimeout + ", gzip=" + gzip
        + ", http=" + httpProtocol
        + ", proxy=" + (proxyHost == null ? "none" : proxyHost + ":" + proxyPort + (proxyUser == null ? "" : " (user "
        + proxyUser + ", password ****)")) + ", headers=" + headers.keySet() + "]";
  }
}
