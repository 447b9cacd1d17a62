package dev.aepclient;

import java.util.Objects;

/**
 * The {@code header} of an XDM streaming message, used by {@link AepMessage#xdm(XdmHeader, String)}: the schema,
 * and optionally the dataset, org, flow and source. Immutable; build with {@link #builder(String)}.
 */
public final class XdmHeader {
  /** The content type AEP's documentation gives for XDM messages. */
  public static final String DEFAULT_CONTENT_TYPE = "application/vnd.adobe.xed-full+json;version=1";

  private final String schemaId;
  private final String contentType;
  private final String imsOrgId;
  private final String datasetId;
  private final String flowId;
  private final String sourceName;
  private final Long createdAt;

  private XdmHeader(Builder b) {
    this.schemaId = b.schemaId;
    this.contentType = b.contentType;
    this.imsOrgId = b.imsOrgId;
    this.datasetId = b.datasetId;
    this.flowId = b.flowId;
    this.sourceName = b.sourceName;
    this.createdAt = b.createdAt;
  }

  /**
   * Starts a header for the schema with this id, for example {@code https://ns.adobe.com/{TENANT}/schemas/{ID}}.
   *
   * @throws IllegalArgumentException if {@code schemaId} is null or blank
   */
  public static Builder builder(String schemaId) {
    return new Builder(schemaId);
  }

  /** The {@code $id} of the XDM schema the message follows; never null. */
  public String schemaId() { return schemaId; }
  /** The message's content type; default {@link #DEFAULT_CONTENT_TYPE}. */
  public String contentType() { return contentType; }
  /** May be null: AEP fills in the inlet's org when absent. */
  public String imsOrgId() { return imsOrgId; }
  /** The dataset the message lands in, or null to let the inlet's dataflow decide. */
  public String datasetId() { return datasetId; }
  /** The dataflow id ({@code header.flowId}), or null. */
  public String flowId() { return flowId; }
  /** The source name ({@code header.source.name}), or null. */
  public String sourceName() { return sourceName; }
  /** Epoch milliseconds, or null to stamp each message with the time it was built. */
  public Long createdAt() { return createdAt; }

  @Override
  public String toString() {
    return "XdmHeader[schemaId=" + schemaId + ", datasetId=" + datasetId + ", flowId=" + flowId + "]";
  }

  /** Builds an {@link XdmHeader}. Not thread-safe. */
  public static final class Builder {
    private final String schemaId;
    private String contentType = DEFAULT_CONTENT_TYPE;
    private String imsOrgId;
    private String datasetId;
    private String flowId;
    private String sourceName;
    private Long createdAt;

    private Builder(String schemaId) {
      if (schemaId == null || schemaId.isBlank()) {
        throw new IllegalArgumentException("schemaId must be set: the $id of the XDM schema the messages follow");
      }
      this.schemaId = schemaId;
    }

    /** Default {@link #DEFAULT_CONTENT_TYPE}. */
    public Builder contentType(String contentType) {
      this.contentType = Objects.requireNonNull(contentType, "contentType");
      return this;
    }

    /** The IMS org ({@code header.imsOrgId}); default none (AEP fills in the inlet's org). */
    public Builder imsOrgId(String imsOrgId) { this.imsOrgId = imsOrgId; return this; }
    /** The target dataset ({@code header.datasetId}); default none. */
    public Builder datasetId(String datasetId) { this.datasetId = datasetId; return this; }
    /** The dataflow ({@code header.flowId}); default none. */
    public Builder flowId(String flowId) { this.flowId = flowId; return this; }
    /** The source name ({@code header.source.name}); default none. */
    public Builder sourceName(String sourceName) { this.sourceName = sourceName; return this; }
    /** A fixed {@code header.createdAt} in epoch milliseconds; default: the time each message is built. */
    public Builder createdAt(long epochMillis) { this.createdAt = epochMillis; return this; }

    /** The header; the builder can be reused afterwards. */
    public XdmHeader build() {
      return new XdmHeader(this);
    }
  }
}
