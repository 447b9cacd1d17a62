package dev.aepclient.connect;

import dev.aepclient.connect.internal.ConfigKeys;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The settings of {@link AepSinkConnector}: this library's {@code aep.*} keys, the Adobe sink connector's keys
 * ({@code aep.endpoint}, {@code aep.flush.*}, {@code aep.connection.*}) unchanged, and three keys of the sink itself
 * ({@code aep.sink.*}). The client settings are turned into a client by aep-client-core
 * ({@code AepStreamingClient.fromProperties}); this class only declares them for Connect (types, docs, groups, what
 * the REST validate endpoint shows) and reads the sink's own keys. Immutable and thread-safe.
 *
 * <p>Sink keys and defaults: {@value #TOMBSTONES} {@code report} (or {@code skip}), {@value #COMMIT_INTERVAL_MS}
 * 1000, {@value #CLOSE_TIMEOUT_MS} 5000.
 */
public final class AepSinkConfig extends AbstractConfig {
  /** What a record with a null value (a tombstone) becomes: {@code report} (an errant record) or {@code skip}. */
  public static final String TOMBSTONES = "aep.sink.tombstones";
  /** The least time between two offset commits the task asks Connect for while records settle; 0 to 10 min. */
  public static final String COMMIT_INTERVAL_MS = "aep.sink.commit.interval.ms";
  /** How long close, flush and stop wait for records in flight; 0 to 10 min. */
  public static final String CLOSE_TIMEOUT_MS = "aep.sink.close.timeout.ms";

  /** The values of {@value #TOMBSTONES}. */
  public enum TombstonePolicy {
    /** Hand the record to Connect's errant record reporter (the dead-letter queue), or fail the task without one. */
    REPORT,
    /** Settle the record without sending it (counted, logged at DEBUG). */
    SKIP
  }

  /** Every key, with type, default, validator, importance, docs and group. */
  public static final ConfigDef CONFIG_DEF = ConfigKeys.define(new ConfigDef())
      .define(TOMBSTONES, ConfigDef.Type.STRING, "report",
          ConfigDef.CaseInsensitiveValidString.in("report", "skip"), ConfigDef.Importance.MEDIUM,
          "What a record with a null value (a Kafka tombstone) becomes: 'report' hands it to Connect's errant record"
              + " reporter (the dead-letter topic with errors.tolerance=all; without one the task fails), 'skip'"
              + " settles it without sending. Adobe's connector sent the text null instead.",
          ConfigKeys.GROUP_SINK, 1, ConfigDef.Width.SHORT, "Tombstones")
      .define(COMMIT_INTERVAL_MS, ConfigDef.Type.LONG, 1000L, ConfigDef.Range.between(0, 600_000),
          ConfigDef.Importance.LOW,
          "The least time between two offset commits the task requests while its records settle, so progress is"
              + " committed within about this long instead of only on the worker's offset.flush.interval.ms. Only"
              + " offsets whose record and every earlier one of the partition are settled are ever committed.",
          ConfigKeys.GROUP_SINK, 2, ConfigDef.Width.SHORT, "Commit interval (ms)")
      .define(CLOSE_TIMEOUT_MS, ConfigDef.Type.LONG, 5_000L, ConfigDef.Range.between(0, 600_000),
          ConfigDef.Importance.LOW,
          "How long a partition close (rebalance), flush and task stop wait for records in flight to settle, so their"
              + " requests finish and refused ones reach the dead-letter topic instead of being cancelled. Connect"
              + " takes the offsets to commit just before the close, so what settles during the wait is sent again by"
              + " the partition's next owner (a duplicate, never a loss); a long wait only stalls the rebalance. Keep"
              + " it at or below the worker's task.shutdown.graceful.timeout.ms (5 s by default).",
          ConfigKeys.GROUP_SINK, 3, ConfigDef.Width.SHORT, "Close timeout (ms)");

  /**
   * Parses {@code originals}.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key, for a value of the wrong type or range
   */
  public AepSinkConfig(Map<String, String> originals) {
    super(CONFIG_DEF, originals, false);
  }

  /** {@value #TOMBSTONES}. */
  public TombstonePolicy tombstones() {
    return TombstonePolicy.valueOf(getString(TOMBSTONES).toUpperCase(Locale.ROOT));
  }

  /** {@value #COMMIT_INTERVAL_MS}. */
  public long commitIntervalMs() {
    return getLong(COMMIT_INTERVAL_MS);
  }

  /** {@value #CLOSE_TIMEOUT_MS}. */
  public long closeTimeoutMs() {
    return getLong(CLOSE_TIMEOUT_MS);
  }

  /** The sink's own keys, which the client does not know and must not see. */
  public static List<String> sinkKeys() {
    return List.of(TOMBSTONES, COMMIT_INTERVAL_MS, CLOSE_TIMEOUT_MS);
  }
}
