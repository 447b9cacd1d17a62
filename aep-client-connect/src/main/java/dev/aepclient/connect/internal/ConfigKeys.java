package dev.aepclient.connect.internal;

import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_ADAPTIVE_CONCURRENCY;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_ALLOW_INSECURE_HTTP;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_CONNECT_TIMEOUT_MS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_DELIVERY_TIMEOUT_MS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_GZIP;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_HTTP_PROTOCOL;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_IMS_URL;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_LINGER_MS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_MAX_BATCH_BYTES;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_MAX_BATCH_RECORDS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_MAX_BUFFERED_BYTES;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_MAX_IN_FLIGHT_REQUESTS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_MAX_REQUEST_BYTES;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_REQUEST_TIMEOUT_MS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_RETRY_BACKOFF_MAX_MS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_RETRY_BACKOFF_MS;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_SANDBOX_HEADER;
import static dev.aepclient.AepStreamingClientBuilder.DEFAULT_SYNC_VALIDATION;

import dev.aepclient.internal.config.PropertiesConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The client keys declared for Connect: types, docs and groups only. What a key does is aep-client-core's
 * {@link PropertiesConfig}; the defaults the docs state are core's {@code AepStreamingClientBuilder.DEFAULT_*}
 * constants. Defaults are left null here so the client's own defaults apply and the key reaches the
 * client only when the user set it. A key core knows and this table does not describe is still declared (as a
 * string), so the two can never disagree about which keys exist.
 */
@SuppressWarnings("BadImport") // Type, Importance and Width read as ConfigDef's throughout this table
public final class ConfigKeys {
  public static final String GROUP_INLET = "AEP inlet";
  public static final String GROUP_AUTH = "Authentication";
  public static final String GROUP_DELIVERY = "Batching and delivery";
  public static final String GROUP_CONNECTION = "Connection";
  public static final String GROUP_ADOBE = "Adobe connector keys";
  public static final String GROUP_SINK = "Sink";

  /** One declared key; {@code aliasOf} names our key for an Adobe connector key, else null. */
  record Key(String name, Type type, Importance importance, String group, String doc, String aliasOf) {}

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  private static void ours(String name, Type type, Importance importance, String group, String doc) {
    KEYS.put(name, new Key(name, type, importance, group, doc, null));
  }

  private static void adobe(String name, Type type, String aliasOf, String doc) {
    KEYS.put(name, new Key(name, type, Importance.MEDIUM, GROUP_ADOBE, doc, aliasOf));
  }

  static {
    ours("aep.inlet.url", Type.STRING, Importance.HIGH, GROUP_INLET,
        "The streaming inlet URL, https://dcs.adobedc.net/collection/{INLET_ID}. Required (or aep.endpoint).");
    ours("aep.sandbox", Type.STRING, Importance.MEDIUM, GROUP_INLET, "The sandbox name sent with every request.");
    ours("aep.sandbox.header", Type.STRING, Importance.LOW, GROUP_INLET,
        "The header that carries the sandbox; default " + DEFAULT_SANDBOX_HEADER + ".");
    ours("aep.org.id", Type.STRING, Importance.MEDIUM, GROUP_INLET,
        "The IMS org id (...@AdobeOrg); needed for OAuth and JWT.");
    ours("aep.api.key", Type.STRING, Importance.LOW, GROUP_INLET, "Sent as x-api-key; default the client id.");
    ours("aep.flow.id", Type.STRING, Importance.LOW, GROUP_INLET, "Sent as x-adobe-flow-id when set.");
    ours("aep.headers", Type.STRING, Importance.LOW, GROUP_INLET,
        "Extra request headers, a JSON object such as {\"x-header\":\"value\"}.");
    ours("aep.sync.validation", Type.BOOLEAN, Importance.LOW, GROUP_INLET,
        "Ask AEP to validate each message synchronously (?syncValidation=true); default "
            + DEFAULT_SYNC_VALIDATION + ".");
    ours("aep.auth.type", Type.STRING, Importance.HIGH, GROUP_AUTH,
        "none, token, oauth or jwt; inferred from the other auth keys when absent.");
    ours("aep.auth.client.id", Type.STRING, Importance.HIGH, GROUP_AUTH, "The credential's client id.");
    ours("aep.auth.client.secret", Type.PASSWORD, Importance.HIGH, GROUP_AUTH, "The credential's client secret.");
    ours("aep.auth.scopes", Type.LIST, Importance.MEDIUM, GROUP_AUTH, "OAuth scopes; default Platform's.");
    ours("aep.auth.technical.account.id", Type.STRING, Importance.MEDIUM, GROUP_AUTH,
        "The technical account id of a JWT (service account) credential.");
    ours("aep.auth.private.key.file", Type.STRING, Importance.MEDIUM, GROUP_AUTH,
        "A PEM or PKCS#8 DER private key file for JWT.");
    ours("aep.auth.private.key", Type.PASSWORD, Importance.MEDIUM, GROUP_AUTH, "The PEM text of the JWT private key.");
    ours("aep.auth.metascopes", Type.LIST, Importance.LOW, GROUP_AUTH, "JWT metascopes; default ent_dataservices_sdk.");
    ours("aep.auth.token", Type.PASSWORD, Importance.MEDIUM, GROUP_AUTH, "A fixed access token (aep.auth.type=token).");
    ours("aep.ims.url", Type.STRING, Importance.LOW, GROUP_AUTH, "The IMS base URL; default " + DEFAULT_IMS_URL + ".");
    ours("aep.batch.max.records", Type.INT, Importance.MEDIUM, GROUP_DELIVERY,
        "Messages per request; default " + DEFAULT_MAX_BATCH_RECORDS + ".");
    ours("aep.batch.max.bytes", Type.INT, Importance.MEDIUM, GROUP_DELIVERY,
        "Wire bytes per request; default " + DEFAULT_MAX_BATCH_BYTES + " (AEP's limit).");
    ours("aep.max.request.bytes", Type.INT, Importance.LOW, GROUP_DELIVERY,
        "AEP's request size limit; default " + DEFAULT_MAX_REQUEST_BYTES + ".");
    ours("aep.linger.ms", Type.LONG, Importance.MEDIUM, GROUP_DELIVERY,
        "How long a batch waits for more messages; default " + DEFAULT_LINGER_MS + ".");
    ours("aep.max.in.flight", Type.INT, Importance.MEDIUM, GROUP_DELIVERY,
        "The most requests in flight per task (the adaptive limit's ceiling); default "
            + DEFAULT_MAX_IN_FLIGHT_REQUESTS + " (Adobe's connector: 1).");
    ours("aep.max.in.flight.adaptive", Type.BOOLEAN, Importance.LOW, GROUP_DELIVERY,
        "Adapt the requests in flight to what AEP sustains (halve on 429/503); default "
            + DEFAULT_ADAPTIVE_CONCURRENCY + ".");
    ours("aep.buffer.max.bytes", Type.LONG, Importance.MEDIUM, GROUP_DELIVERY,
        "Bytes buffered per task before its partitions are paused; default " + DEFAULT_MAX_BUFFERED_BYTES + ".");
    ours("aep.buffer.full.policy", Type.STRING, Importance.LOW, GROUP_DELIVERY,
        "BLOCK or FAIL; the sink never blocks Connect's thread either way (it pauses partitions).");
    ours("aep.buffer.max.block.ms", Type.LONG, Importance.LOW, GROUP_DELIVERY, "Unused by the sink (it never blocks).");
    ours("aep.delivery.timeout.ms", Type.LONG, Importance.MEDIUM, GROUP_DELIVERY,
        "How long one attempt at a message is retried with back-off; default " + DEFAULT_DELIVERY_TIMEOUT_MS
            + ". The sink then sends it again"
            + " (the task stays up through an AEP outage).");
    ours("aep.retry.backoff.ms", Type.LONG, Importance.LOW, GROUP_DELIVERY,
        "First retry back-off; default " + DEFAULT_RETRY_BACKOFF_MS + ".");
    ours("aep.retry.backoff.max.ms", Type.LONG, Importance.LOW, GROUP_DELIVERY,
        "Largest retry back-off; default " + DEFAULT_RETRY_BACKOFF_MAX_MS + ".");
    ours("aep.rate.limit.rps", Type.DOUBLE, Importance.LOW, GROUP_DELIVERY,
        "Requests per second at most; default none.");
    ours("aep.gzip", Type.BOOLEAN, Importance.LOW, GROUP_DELIVERY,
        "Gzip request bodies; default " + DEFAULT_GZIP + ".");
    ours("aep.http.protocol", Type.STRING, Importance.LOW, GROUP_CONNECTION,
        "HTTP_1_1 or HTTP_2 (over TLS when AEP offers it); default " + DEFAULT_HTTP_PROTOCOL + ".");
    ours("aep.client.name", Type.STRING, Importance.LOW, GROUP_DELIVERY, "Names the client's threads and metrics.");
    ours("aep.request.timeout.ms", Type.LONG, Importance.LOW, GROUP_CONNECTION,
        "Per request; default " + DEFAULT_REQUEST_TIMEOUT_MS + ".");
    ours("aep.connect.timeout.ms", Type.LONG, Importance.LOW, GROUP_CONNECTION,
        "TCP/TLS connect; default " + DEFAULT_CONNECT_TIMEOUT_MS + ".");
    ours("aep.proxy.host", Type.STRING, Importance.LOW, GROUP_CONNECTION, "An HTTP proxy's host.");
    ours("aep.proxy.port", Type.INT, Importance.LOW, GROUP_CONNECTION, "The proxy's port.");
    ours("aep.proxy.user", Type.STRING, Importance.LOW, GROUP_CONNECTION, "The proxy's user.");
    ours("aep.proxy.password", Type.PASSWORD, Importance.LOW, GROUP_CONNECTION, "The proxy's password.");
    ours("aep.allow.insecure.http", Type.BOOLEAN, Importance.LOW, GROUP_CONNECTION,
        "Allow plain http to a host other than localhost (tests only); default "
            + DEFAULT_ALLOW_INSECURE_HTTP + ".");

    adobe("aep.endpoint", Type.STRING, "aep.inlet.url", "Adobe's name for aep.inlet.url.");
    adobe("aep.flush.interval.seconds", Type.INT, "aep.linger.ms", "Adobe's batch wait, in seconds (aep.linger.ms).");
    adobe("aep.flush.bytes.kb", Type.INT, "aep.batch.max.bytes", "Adobe's batch size, in KiB (aep.batch.max.bytes).");
    adobe("aep.connection.maxRetries", Type.INT, null,
        "Accepted and ignored: retries run until aep.delivery.timeout.ms.");
    adobe("aep.connection.retryBackoff", Type.LONG, "aep.retry.backoff.ms", "Adobe's retry back-off (ms).");
    adobe("aep.connection.timeout", Type.LONG, "aep.connect.timeout.ms", "Adobe's connect timeout (ms).");
    adobe("aep.connection.readTimeout", Type.LONG, "aep.request.timeout.ms", "Adobe's read timeout (ms).");
    adobe("aep.connection.proxy.host", Type.STRING, "aep.proxy.host", "Adobe's proxy host.");
    adobe("aep.connection.proxy.port", Type.INT, "aep.proxy.port", "Adobe's proxy port.");
    adobe("aep.connection.proxy.user", Type.STRING, "aep.proxy.user", "Adobe's proxy user.");
    adobe("aep.connection.proxy.password", Type.PASSWORD, "aep.proxy.password", "Adobe's proxy password.");
    adobe("aep.connection.auth.enabled", Type.BOOLEAN, "aep.auth.type", "false is aep.auth.type=none.");
    adobe("aep.connection.auth.token.type", Type.STRING, "aep.auth.type",
        "oauth2_access_token (aep.auth.type=oauth) or jwt_token (jwt); access_token is refused with the fix.");
    adobe("aep.connection.auth.client.id", Type.STRING, "aep.auth.client.id", "Adobe's client id.");
    adobe("aep.connection.auth.client.secret", Type.PASSWORD, "aep.auth.client.secret", "Adobe's client secret.");
    adobe("aep.connection.auth.client.code", Type.PASSWORD, null, "The retired authorization-code flow; refused.");
    adobe("aep.connection.auth.endpoint", Type.STRING, "aep.ims.url", "Adobe's IMS base URL.");
    adobe("aep.connection.auth.imsOrg", Type.STRING, "aep.org.id", "Adobe's IMS org id.");
    adobe("aep.connection.auth.accountKey", Type.STRING, "aep.auth.technical.account.id",
        "Adobe's technical account id.");
    adobe("aep.connection.auth.filePath", Type.STRING, "aep.auth.private.key.file", "Adobe's private key file.");
    adobe("aep.connection.endpoint.headers", Type.STRING, "aep.headers", "Adobe's extra headers (a JSON object).");
  }

  private ConfigKeys() {}

  /** Declares every client key on {@code def}, then any key core knows that the table above does not describe. */
  public static ConfigDef define(ConfigDef def) {
    Map<String, Integer> order = new LinkedHashMap<>();
    for (Key key : KEYS.values()) {
      int position = order.merge(key.group(), 1, Integer::sum);
      String doc = key.aliasOf() == null ? key.doc() : key.doc() + " Same as " + key.aliasOf() + ".";
      def.define(key.name(), key.type(), null, null, key.importance(), doc, key.group(), position, Width.MEDIUM,
          key.name());
    }
    for (String name : PropertiesConfig.knownKeys()) {
      if (!KEYS.containsKey(name)) {
        def.define(name, Type.STRING, null, null, Importance.LOW, "See the aep-client README.", GROUP_DELIVERY,
            order.merge(GROUP_DELIVERY, 1, Integer::sum), Width.MEDIUM, name);
      }
    }
    return def;
  }

  /** The keys described by the table above, for tests. */
  static Set<String> described() {
    return KEYS.keySet();
  }

  /**
   * The keys an error about {@code key} may be blamed on: the key itself and the Adobe keys that stand for it,
   * those the user set first; when none is set, the Adobe key first for a file written for Adobe's connector.
   */
  static List<String> blame(String key, Map<String, String> config) {
    List<String> set = new ArrayList<>();
    List<String> unset = new ArrayList<>();
    for (String candidate : candidatesFor(key)) {
      (config.containsKey(candidate) ? set : unset).add(candidate);
    }
    boolean adobeStyle = config.keySet().stream()
        .anyMatch(k -> k.equals("aep.endpoint") || k.startsWith("aep.connection."));
    if (set.isEmpty() && adobeStyle && unset.size() > 1) {
      set.add(unset.remove(unset.size() - 1)); // a file written for Adobe's connector: name its key
    }
    set.addAll(unset);
    return set;
  }

  private static List<String> candidatesFor(String key) {
    List<String> candidates = new ArrayList<>();
    candidates.add(key);
    for (Key k : KEYS.values()) {
      if (key.equals(k.aliasOf())) {
        candidates.add(k.name());
      }
    }
    return candidates;
  }

  /** Every declared key name, longest first (so a message naming aep.proxy.port is not blamed on aep.proxy). */
  static List<String> namesLongestFirst() {
    List<String> names = new ArrayList<>(KEYS.keySet());
    for (String name : PropertiesConfig.knownKeys()) {
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    names.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return names;
  }
}
