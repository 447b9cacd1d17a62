package dev.aepclient.benchmarks;

import java.nio.charset.StandardCharsets;

/** The messages the micro benchmarks work on: an XDM ExperienceEvent as the demo sends (about 570 bytes). */
final class Payloads {
  private Payloads() {}

  /** Message {@code n}: same shape, different id and time, so no two are identical. */
  static String xdmEvent(int n) {
    return "{\"header\":{\"schemaRef\":{\"id\":\"https://ns.adobe.com/acme/schemas/7c3f0d1e9b2a\","
        + "\"contentType\":\"application/vnd.adobe.xed-full+json;version=1\"},"
        + "\"imsOrgId\":\"0123456789ABCDEF01234567@AdobeOrg\",\"datasetId\":\"6541f2a9c1d84e0029d1b7c3\","
        + "\"source\":{\"name\":\"aep-client benchmark\"},\"createdAt\":" + (1_764_057_600_000L + n) + "},"
        + "\"body\":{\"xdmMeta\":{\"schemaRef\":{\"id\":\"https://ns.adobe.com/acme/schemas/7c3f0d1e9b2a\","
        + "\"contentType\":\"application/vnd.adobe.xed-full+json;version=1\"}},"
        + "\"xdmEntity\":{\"_id\":\"evt-" + n + "\",\"eventType\":\"web.webpagedetails.pageViews\","
        + "\"timestamp\":\"2026-11-25T08:00:00.000Z\",\"identityMap\":{\"ECID\":[{\"id\":\"4567891234567891234"
        + (n % 10) + "\",\"primary\":true}]},\"web\":{\"webPageDetails\":{\"name\":\"product\",\"URL\":"
        + "\"https://shop.example.com/product/" + n + "\"}},\"device\":{\"type\":\"mobile\"}}}}";
  }

  static byte[] xdmEventBytes(int n) {
    return xdmEvent(n).getBytes(StandardCharsets.UTF_8);
  }
}
