package dev.aepclient.examples.demo;

import java.time.Instant;

/**
 * Realistic XDM ExperienceEvents (web page views, about 580 bytes each) for the demo and the benchmarks, with a few
 * deliberately bad records at fixed positions: a message without its XDM header (AEP rejects it), a value that is not
 * JSON, and a tombstone. Deterministic: record {@code n} is always the same.
 */
public final class SampleEvents {
  /** Where the event id sits in each message (the simulator counts ids there). */
  public static final String ID_POINTER = "/body/xdmEntity/_id";

  private static final String SCHEMA = "https://ns.adobe.com/acme/schemas/7c3f0d1e9b2a";
  private static final String DATASET = "6541f2a9c1d84e0029d1b7c3";
  private static final String[] PAGES = {"home", "search", "product", "cart", "checkout", "account", "help"};
  private static final long EPOCH = Instant.parse("2026-11-25T08:00:00Z").toEpochMilli();

  private final String schemaId;
  private final String datasetId;

  /** With demo schema and dataset ids. */
  public SampleEvents() {
    this(SCHEMA, DATASET);
  }

  /** With the schema and dataset of a real sandbox (for the demo against the real AEP). */
  public SampleEvents(String schemaId, String datasetId) {
    this.schemaId = schemaId;
    this.datasetId = datasetId;
  }

  /** AEP refuses this record (it has no XDM header). */
  public static boolean isRejected(long n) {
    return n % 10_000 == 4_999;
  }

  /** This record's value is not JSON. */
  public static boolean isNotJson(long n) {
    return n % 25_000 == 12_345;
  }

  /** This record is a tombstone (null value). */
  public static boolean isTombstone(long n) {
    return n == 777;
  }

  /** Whether record {@code n} cannot be delivered, for whatever reason. */
  public static boolean isBad(long n) {
    return isRejected(n) || isNotJson(n) || isTombstone(n);
  }

  /** The id of record {@code n}. */
  public static String id(long n) {
    return "evt-" + n;
  }

  /** The Kafka record value of record {@code n}: JSON text, garbage, or null. */
  public String value(long n) {
    if (isTombstone(n)) {
      return null;
    }
    if (isNotJson(n)) {
      return "<event id=\"" + n + "\" type=\"pageView\"/>";
    }
    long time = EPOCH + n * 37;
    String page = PAGES[(int) (n % PAGES.length)];
    String entity = "{\"_id\":\"" + id(n) + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time) + "\","
        + "\"eventType\":\"web.webpagedetails.pageViews\","
        + "\"identityMap\":{\"ECID\":[{\"id\":\"" + ecid(n) + "\"}]},"
        + "\"web\":{\"webPageDetails\":{\"name\":\"" + page + "\",\"URL\":\"https://shop.example.com/" + page
        + "/" + (n % 5000) + "\"}}}";
    String schemaRef = "{\"id\":\"" + schemaId + "\",\"contentType\":\"application/vnd.adobe.xed-full+json;version=1\"}";
    // No imsOrgId: DCS fills in the inlet's org when it is absent.
    String header = "\"header\":{\"schemaRef\":" + schemaRef + ",\"datasetId\":\"" + datasetId + "\"},";
    return "{" + (isRejected(n) ? "" : header) + "\"body\":{\"xdmMeta\":{\"schemaRef\":" + schemaRef
        + "},\"xdmEntity\":" + entity + "}}";
  }

  private static String ecid(long n) {
    long a = n * 0x9E3779B97F4A7C15L;
    return String.format("%019d", Math.abs(a % 1_000_000_000_000_000_000L));
  }
}
