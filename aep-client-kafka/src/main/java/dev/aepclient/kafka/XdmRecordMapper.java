package dev.aepclient.kafka;

import static dev.aepclient.internal.util.Preconditions.requireText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aepclient.AepMessage;
import dev.aepclient.XdmHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

/**
 * A {@link RecordMapper} that wraps each record's value (a JSON object as {@code String}, UTF-8 {@code byte[]} or
 * {@code JsonNode}) into an XDM message ({@link AepMessage#xdm(XdmHeader, String)}), taking the header's parts from
 * the record: the schema, dataset and flow id from fixed values or Kafka headers, {@code createdAt} from the record's
 * timestamp, and optionally a deterministic {@code _id} so AEP-side consumers can drop redeliveries.
 *
 * <pre>{@code
 * RecordMapper<String, String> mapper = XdmRecordMapper.<String, String>builder()
 *     .schemaId("https://ns.adobe.com/acme/schemas/abc")  // or schemaIdFromHeader("aep-schema")
 *     .datasetIdFromHeader("aep-dataset")
 *     .flowId("f1e2…")                                     // flow-id messages, for a dataflow's inlet
 *     .deterministicId()
 *     .build();
 * }</pre>
 *
 * <p>A record that lacks a header it needs, or whose value is not a JSON object, is unmappable
 * ({@link IllegalArgumentException}: it goes to the dead-letter handler). Immutable and thread-safe.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
public final class XdmRecordMapper<K, V> implements RecordMapper<K, V> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Function<ConsumerRecord<K, V>, String> schemaId;
  private final Function<ConsumerRecord<K, V>, String> datasetId;
  private final Function<ConsumerRecord<K, V>, String> flowId;
  private final String imsOrgId;
  private final String sourceName;
  private final boolean createdAtFromTimestamp;
  private final boolean deterministicId;

  private XdmRecordMapper(Builder<K, V> b) {
    this.schemaId = b.schemaId;
    this.datasetId = b.datasetId;
    this.flowId = b.flowId;
    this.imsOrgId = b.imsOrgId;
    this.sourceName = b.sourceName;
    this.createdAtFromTimestamp = b.createdAtFromTimestamp;
    this.deterministicId = b.deterministicId;
  }

  /** A builder; the schema id (fixed or from a header) is required. */
  public static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * A stable id for a record: a name-based UUID of its topic, partition and offset. The same record read again
   * (after a crash or a rebalance) gets the same id, so duplicates can be recognised downstream.
   */
  public static String deterministicId(ConsumerRecord<?, ?> record) {
    return UUID.nameUUIDFromBytes((record.topic() + "/" + record.partition() + "/" + record.offset())
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * The value of the record's last header named {@code name}, as UTF-8 text, or null.
   */
  public static String header(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public AepMessage map(ConsumerRecord<K, V> record) {
    XdmHeader.Builder header = XdmHeader.builder(required(schemaId.apply(record), "schema id"));
    String dataset = datasetId.apply(record);
    if (dataset != null) {
      header.datasetId(dataset);
    }
    String flow = flowId.apply(record);
    if (flow != null) {
      header.flowId(flow);
    }
    if (imsOrgId != null) {
      header.imsOrgId(imsOrgId);
    }
    if (sourceName != null) {
      header.sourceName(sourceName);
    }
    if (createdAtFromTimestamp && record.timestamp() >= 0
        && record.timestampType() != TimestampType.NO_TIMESTAMP_TYPE) {
      header.createdAt(record.timestamp());
    }
    Object value = record.value();
    if (!deterministicId) {
      if (value instanceof String text) {
        return AepMessage.xdm(header.build(), text);
      } else if (value instanceof byte[] bytes) {
        return AepMessage.xdm(header.build(), new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return AepMessage.xdm(header.build(), entity(record, value));
  }

  private JsonNode entity(ConsumerRecord<K, V> record, Object value) {
    JsonNode node;
    try {
      if (value instanceof String text) {
        node = JSON.readTree(text);
      } else if (value instanceof byte[] bytes) {
        node = JSON.readTree(bytes);
      } else if (value instanceof JsonNode tree) {
        node = tree.deepCopy();
      } else {
        throw new IllegalArgumentException("the record value is a " + (value == null ? "null" : value.getClass()
            .getName()) + "; XdmRecordMapper takes String, byte[] or JsonNode");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("the record value is not well-formed JSON", e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException("the record value is not a JSON object");
    }
    if (deterministicId && !object.has("_id")) {
      object.put("_id", deterministicId(record));
    }
    return object;
  }

  private static String required(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("no " + what + " for this record");
    }
    return value;
  }

  /**
   * Configures an {@link XdmRecordMapper}. Defaults: no dataset, flow, org or source; {@code createdAt} from the
   * record's timestamp; no {@code _id} added. Not thread-safe.
   */
  public static final class Builder<K, V> {
    private Function<ConsumerRecord<K, V>, String> schemaId;
    private Function<ConsumerRecord<K, V>, String> datasetId = r -> null;
    private Function<ConsumerRecord<K, V>, String> flowId = r -> null;
    private String imsOrgId;
    private String sourceName;
    private boolean createdAtFromTimestamp = true;
    private boolean deterministicId;

    private Builder() {}

    /** The XDM schema's {@code $id} for every record. */
    public Builder<K, V> schemaId(String id) {
      this.schemaId = fixed(id, "schemaId");
      return this;
    }

    /** The schema id from each record's Kafka header {@code name}; a record without it is unmappable. */
    public Builder<K, V> schemaIdFromHeader(String name) {
      this.schemaId = fromHeader(name, "schemaIdFromHeader", "schema id");
      return this;
    }

    /** The dataset id for every record. */
    public Builder<K, V> datasetId(String id) {
      this.datasetId = fixed(id, "datasetId");
      return this;
    }

    /** The dataset id from each record's Kafka header {@code name}; a record without it is unmappable. */
    public Builder<K, V> datasetIdFromHeader(String name) {
      this.datasetId = fromHeader(name, "datasetIdFromHeader", "dataset id");
      return this;
    }

    /** The dataset id from the record's key (its {@code toString()}); a record without a key is unmappable. */
    public Builder<K, V> datasetIdFromKey() {
      this.datasetId = r -> required(r.key() == null ? null : r.key().toString(), "key (dataset id)");
      return this;
    }

    /** The flow id for every record: flow-id messages, for an inlet of a dataflow. */
    public Builder<K, V> flowId(String id) {
      this.flowId = fixed(id, "flowId");
      return this;
    }

    /** The flow id from each record's Kafka header {@code name}; a record without it is unmappable. */
    public Builder<K, V> flowIdFromHeader(String name) {
      this.flowId = fromHeader(name, "flowIdFromHeader", "flow id");
      return this;
    }

    /** A header part that is the same for every record; {@code setting} names the builder method for errors. */
    private static <K, V> Function<ConsumerRecord<K, V>, String> fixed(String value, String setting) {
      String text = requireText(value, setting);
      return r -> text;
    }

    /** A header part read from each record's Kafka header {@code name}; a record without it is unmappable. */
    private static <K, V> Function<ConsumerRecord<K, V>, String> fromHeader(String name, String setting,
        String what) {
      String header = requireText(name, setting);
      String missing = "header " + header + " (" + what + ")";
      return r -> required(header(r, header), missing);
    }

    /** The IMS org for every record (AEP fills in the inlet's org when absent). */
    public Builder<K, V> imsOrgId(String org) {
      this.imsOrgId = requireText(org, "imsOrgId");
      return this;
    }

    /** The {@code source.name} of every record. */
    public Builder<K, V> sourceName(String name) {
      this.sourceName = requireText(name, "sourceName");
      return this;
    }

    /** Whether {@code createdAt} is the record's timestamp (default) or the time the message is built. */
    public Builder<K, V> createdAtFromTimestamp(boolean fromTimestamp) {
      this.createdAtFromTimestamp = fromTimestamp;
      return this;
    }

    /**
     * Adds {@code _id} = {@link XdmRecordMapper#deterministicId(ConsumerRecord)} to each entity that has none, so a
     * record sent again after a crash carries the same id.
     */
    public Builder<K, V> deterministicId() {
      this.deterministicId = true;
      return this;
    }

    /**
     * Builds the mapper.
     *
     * @throws IllegalArgumentException if no schema id (fixed or from a header) is set
     */
    public XdmRecordMapper<K, V> build() {
      if (schemaId == null) {
        throw new IllegalArgumentException("set the schema with schemaId(...) or schemaIdFromHeader(...)");
      }
      return new XdmRecordMapper<>(this);
    }

  }

  @Override
  public String toString() {
    return "XdmRecordMapper";
  }
}
