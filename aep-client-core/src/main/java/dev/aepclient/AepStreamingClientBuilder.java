package dev.aepclient;

import static dev.aepclient.internal.util.Preconditions.requireDuration;
import static dev.aepclient.internal.util.Preconditions.requireRange;
import static dev.aepclient.internal.util.Preconditions.requireText;

import dev.aepclient.internal.DefaultAepStreamingClient;
import dev.aepclient.internal.config.ClientConfig;
import dev.aepclient.internal.http.InletEndpoint;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Builds an {@link AepStreamingClient}. Each setter checks its own argument at once ({@link
 * IllegalArgumentException}, naming the setting and its property key); {@link #build()} checks how the settings fit
 * together. Not thread-safe; a builder may be reused to build several clients.
 *
 * <p>Defaults (the {@code DEFAULT_*} constants below, which the README's configuration table repeats): no auth,
 * IMS {@value #DEFAULT_IMS_URL}, {@value #DEFAULT_MAX_BATCH_RECORDS} records or {@value #DEFAULT_MAX_BATCH_BYTES}
 * bytes per batch, linger {@value #DEFAULT_LINGER_MS} ms, at most {@value #DEFAULT_MAX_IN_FLIGHT_REQUESTS}
 * requests in flight (adaptive), a {@value #DEFAULT_MAX_BUFFERED_BYTES}-byte (64 MiB) buffer with
 * {@link BufferFullPolicy#BLOCK} for up to {@value #DEFAULT_MAX_BLOCK_MS} ms, delivery timeout
 * {@value #DEFAULT_DELIVERY_TIMEOUT_MS} ms, request timeout {@value #DEFAULT_REQUEST_TIMEOUT_MS} ms (or
 * {@code deliveryTimeout - linger} when that is shorter and the request timeout was not set), connect timeout
 * {@value #DEFAULT_CONNECT_TIMEOUT_MS} ms, back-off {@value #DEFAULT_RETRY_BACKOFF_MS} ms doubling to
 * {@value #DEFAULT_RETRY_BACKOFF_MAX_MS} ms with 25% jitter, no gzip, no rate limit, HTTP/1.1.
 */
public final class AepStreamingClientBuilder {
  /** The production IMS host. */
  public static final String DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com";
  /** The request size limit of DCS (AEP answers 413 above it). */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1_000_000;
  /** The header that carries the sandbox name. */
  public static final String DEFAULT_SANDBOX_HEADER = "x-sandbox-name";
  /** Records per batch. */
  public static final int DEFAULT_MAX_BATCH_RECORDS = 500;
  /** Wire bytes per batch request: AEP's request limit. */
  public static final int DEFAULT_MAX_BATCH_BYTES = DEFAULT_MAX_REQUEST_BYTES;
  /** How long a batch waits for more messages, in milliseconds. */
  public static final long DEFAULT_LINGER_MS = 10;
  /** The most requests in flight (the adaptive limit's ceiling). */
  public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 128;
  /** Whether the requests in flight adapt to what AEP sustains. */
  public static final boolean DEFAULT_ADAPTIVE_CONCURRENCY = true;
  /** The byte budget over all unsettled messages: 64 MiB. */
  public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L << 20;
  /** What {@code send} does when the buffer is full. */
  public static final BufferFullPolicy DEFAULT_BUFFER_FULL_POLICY = BufferFullPolicy.BLOCK;
  /** The longest {@code send} blocks for buffer space, in milliseconds. */
  public static final long DEFAULT_MAX_BLOCK_MS = 60_000;
  /** The bound from {@code send} to the outcome, in milliseconds (2 minutes). */
  public static final long DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;
  /** The limit on one HTTP attempt, in milliseconds. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  /** The TCP/TLS connect timeout, in milliseconds. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  /** The first retry back-off, in milliseconds. */
  public static final long DEFAULT_RETRY_BACKOFF_MS = 100;
  /** The largest retry back-off, in milliseconds. */
  public static final long DEFAULT_RETRY_BACKOFF_MAX_MS = 10_000;
  /** Whether request bodies are gzipped. */
  public static final boolean DEFAULT_GZIP = false;
  /** Whether each message is sent alone with {@code ?syncValidation=true}. */
  public static final boolean DEFAULT_SYNC_VALIDATION = false;
  /** Whether plain http to hosts that are not loopback is allowed. */
  public static final boolean DEFAULT_ALLOW_INSECURE_HTTP = false;
  /** The HTTP version spoken to DCS and IMS. */
  public static final HttpProtocol DEFAULT_HTTP_PROTOCOL = HttpProtocol.HTTP_1_1;

  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();
  private static final Set<String> RESERVED_HEADERS = Set.of("authorization", "content-type", "content-length",
      "content-encoding", "host", "transfer-encoding");

  private String inletUrl;
  private AepAuth auth = AepAuth.none();
  private String imsUrl = DEFAULT_IMS_URL;
  private String sandbox;
  private String sandboxHeader = DEFAULT_SANDBOX_HEADER;
  private String orgId;
  private String apiKey;
  private String flowId;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private int maxBatchRecords = DEFAULT_MAX_BATCH_RECORDS;
  private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
  private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  private Duration linger = Duration.ofMillis(DEFAULT_LINGER_MS);
  private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
  private boolean adaptiveConcurrency = DEFAULT_ADAPTIVE_CONCURRENCY;
  private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
  private BufferFullPolicy bufferFullPolicy = DEFAULT_BUFFER_FULL_POLICY;
  private Duration maxBlock = Duration.ofMillis(DEFAULT_MAX_BLOCK_MS);
  private Duration deliveryTimeout = Duration.ofMillis(DEFAULT_DELIVERY_TIMEOUT_MS);
  private Duration requestTimeout = Duration.ofMillis(DEFAULT_REQUEST_TIMEOUT_MS);
  private boolean requestTimeoutSet;
  private Duration connectTimeout = Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MS);
  private Duration initialBackoff = Duration.ofMillis(DEFAULT_RETRY_BACKOFF_MS);
  private Duration maxBackoff = Duration.ofMillis(DEFAULT_RETRY_BACKOFF_MAX_MS);
  private boolean gzip = DEFAULT_GZIP;
  private Double maxRequestsPerSecond;
  private boolean syncValidation = DEFAULT_SYNC_VALIDATION;
  private boolean allowInsecureHttp = DEFAULT_ALLOW_INSECURE_HTTP;
  private HttpProtocol httpProtocol = DEFAULT_HTTP_PROTOCOL;
  private OkHttpClient httpClient;
  private String proxyHost;
  private int proxyPort;
  private String proxyUser;
  private String proxyPassword;
  private DeliveryListener deliveryListener = new DeliveryListener() {};
  private String clientName;

  AepStreamingClientBuilder() {}

  /**
   * The streaming inlet URL given when the streaming connection was created,
   * {@code https://dcs.adobedc.net/collection/{INLET_ID}} (key {@code aep.inlet.url}). Required. Batches go to
   * {@code …/collection/batch/{INLET_ID}}, derived from it.
   */
  public AepStreamingClientBuilder inletUrl(String inletUrl) {
    this.inletUrl = requireText(inletUrl, "inletUrl (aep.inlet.url)").trim();
    return this;
  }

  /** How to authenticate (key {@code aep.auth.type} and {@code aep.auth.*}); default {@link AepAuth#none()}. */
  public AepStreamingClientBuilder auth(AepAuth auth) {
    this.auth = Objects.requireNonNull(auth, "auth (aep.auth.type)");
    return this;
  }

  /**
   * The IMS base URL (key {@code aep.ims.url}); default {@value #DEFAULT_IMS_URL}. Stage hosts and simulators differ.
   */
  public AepStreamingClientBuilder imsUrl(String imsUrl) {
    this.imsUrl = requireText(imsUrl, "imsUrl (aep.ims.url)").trim();
    return this;
  }

  /** The sandbox name, sent as {@code x-sandbox-name} (key {@code aep.sandbox}); default none. */
  public AepStreamingClientBuilder sandbox(String sandbox) {
    this.sandbox = headerValue(sandbox, "sandbox (aep.sandbox)");
    return this;
  }

  /** The header that carries the sandbox (key {@code aep.sandbox.header}); default {@value #DEFAULT_SANDBOX_HEADER}. */
  public AepStreamingClientBuilder sandboxHeader(String headerName) {
    this.sandboxHeader = headerName(headerName, "sandboxHeader (aep.sandbox.header)");
    return this;
  }

  /** The org id sent as {@code x-gw-ims-org-id} (key {@code aep.org.id}); default: the credential's org id. */
  public AepStreamingClientBuilder orgId(String orgId) {
    this.orgId = headerValue(orgId, "orgId (aep.org.id)");
    return this;
  }

  /** The value of {@code x-api-key} (key {@code aep.api.key}); default: the credential's client id. */
  public AepStreamingClientBuilder apiKey(String apiKey) {
    this.apiKey = headerValue(apiKey, "apiKey (aep.api.key)");
    return this;
  }

  /** The data flow id, sent as {@code x-adobe-flow-id}, for raw (non-XDM) data (key {@code aep.flow.id}). */
  public AepStreamingClientBuilder flowId(String flowId) {
    this.flowId = headerValue(flowId, "flowId (aep.flow.id)");
    return this;
  }

  /**
   * An extra header on every inlet request (key {@code aep.headers}, a JSON object). Authorization and the
   * body's own headers cannot be overridden.
   *
   * @throws IllegalArgumentException for a reserved name, or a name or value with characters HTTP headers do not
   *     allow (control characters, non-ASCII); the message never shows the value, which may be a secret
   */
  public AepStreamingClientBuilder header(String name, String value) {
    requireText(name, "header name");
    Objects.requireNonNull(value, "header value (aep.headers)");
    if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("header " + name + " is set by the client and cannot be overridden");
    }
    requireHeaderText(name, value);
    headers.put(name, value);
    return this;
  }

  /**
   * Records per batch, 1 to 10,000 (key {@code aep.batch.max.records}); default {@value #DEFAULT_MAX_BATCH_RECORDS}.
   */
  public AepStreamingClientBuilder maxBatchRecords(int records) {
    this.maxBatchRecords = requireRange(records, 1, 10_000, "maxBatchRecords (aep.batch.max.records)");
    return this;
  }

  /**
   * Bytes per batch request on the wire, the {@code {"messages":[…]}} frame included, 1,024 to {@link
   * #maxRequestBytes(int)} (key {@code aep.batch.max.bytes}); default {@value #DEFAULT_MAX_BATCH_BYTES}. A single
   * message larger than this but within the request limit goes in a batch of its own.
   */
  public AepStreamingClientBuilder maxBatchBytes(int bytes) {
    this.maxBatchBytes = requireRange(bytes, 1024, Integer.MAX_VALUE, "maxBatchBytes (aep.batch.max.bytes)");
    return this;
  }

  /**
   * The inlet's request size limit (key {@code aep.max.request.bytes}); default {@value #DEFAULT_MAX_REQUEST_BYTES},
   * AEP's documented 1 MB. Messages that cannot fit in a request of this size are refused at {@code send}.
   */
  public AepStreamingClientBuilder maxRequestBytes(int bytes) {
    this.maxRequestBytes = requireRange(bytes, 1024, 16 << 20, "maxRequestBytes (aep.max.request.bytes)");
    return this;
  }

  /**
   * How long a batch waits for more messages, 0 to 60 s (key {@code aep.linger.ms}); default {@value
   * #DEFAULT_LINGER_MS} ms.
   */
  public AepStreamingClientBuilder linger(Duration linger) {
    this.linger = requireDuration(linger, Duration.ZERO, Duration.ofSeconds(60), "linger (aep.linger.ms)");
    return this;
  }

  /**
   * The most requests to the inlet in flight at once, 1 to 256 (key {@code aep.max.in.flight}); default {@value
   * #DEFAULT_MAX_IN_FLIGHT_REQUESTS}. With {@link #adaptiveConcurrency(boolean) adaptive concurrency} (the default)
   * this is the ceiling the adaptive limit may reach; without it, the fixed number of requests in flight.
   */
  public AepStreamingClientBuilder maxInFlightRequests(int requests) {
    this.maxInFlightRequests = requireRange(requests, 1, 256, "maxInFlightRequests (aep.max.in.flight)");
    return this;
  }

  /**
   * Whether the number of requests in flight adapts to what AEP sustains (key {@code aep.max.in.flight.adaptive});
   * default {@value #DEFAULT_ADAPTIVE_CONCURRENCY}. Adaptive: it starts at 4, doubles every round trip while answers
   * come back as fast as before, then grows by about one per round trip; it halves on a 429 or 503 and shrinks when
   * round trips lengthen (AEP queueing), never above {@link #maxInFlightRequests(int)}. The current value is {@link
   * AepClientMetrics#inFlightLimit()}. False: always {@code maxInFlightRequests} in flight.
   */
  public AepStreamingClientBuilder adaptiveConcurrency(boolean adaptive) {
    this.adaptiveConcurrency = adaptive;
    return this;
  }

  /**
   * The byte budget over every message not yet settled, at least {@link #maxRequestBytes(int)} and at most {@link
   * Integer#MAX_VALUE} (key {@code aep.buffer.max.bytes}); default {@value #DEFAULT_MAX_BUFFERED_BYTES} (64 MiB). Each
   * message counts its UTF-8 size plus 128 bytes, at most the whole budget: a message of the largest legal size always
   * fits an empty buffer.
   */
  public AepStreamingClientBuilder maxBufferedBytes(long bytes) {
    this.maxBufferedBytes = requireRange(bytes, 1024, Integer.MAX_VALUE, "maxBufferedBytes (aep.buffer.max.bytes)");
    return this;
  }

  /**
   * What {@code send} does when the budget is used up (key {@code aep.buffer.full.policy}); default {@link
   * #DEFAULT_BUFFER_FULL_POLICY BLOCK}.
   */
  public AepStreamingClientBuilder whenBufferFull(BufferFullPolicy policy) {
    this.bufferFullPolicy = Objects.requireNonNull(policy, "whenBufferFull (aep.buffer.full.policy)");
    return this;
  }

  /**
   * The longest {@code send} waits for space under BLOCK, 0 to 1 h (key {@code aep.buffer.max.block.ms}); default
   * {@value #DEFAULT_MAX_BLOCK_MS} ms.
   */
  public AepStreamingClientBuilder maxBlock(Duration maxBlock) {
    this.maxBlock = requireDuration(maxBlock, Duration.ZERO, Duration.ofHours(1), "maxBlock (aep.buffer.max.block.ms)");
    return this;
  }

  /**
   * An upper bound on the time from {@code send} returning to the message's outcome (key {@code
   * aep.delivery.timeout.ms}); 1 s to 7 days; default {@value #DEFAULT_DELIVERY_TIMEOUT_MS} ms (2 minutes). Linger,
   * waiting for a free request slot, back-off, {@code Retry-After} pauses, token fetches and requests in flight all
   * count against it: an attempt's timeout is cut to the time left, and a retry that could only start after the
   * deadline is not waited for. Must be at least {@code linger + requestTimeout} (checked by {@link #build()}).
   */
  public AepStreamingClientBuilder deliveryTimeout(Duration timeout) {
    this.deliveryTimeout = requireDuration(timeout, Duration.ofSeconds(1), Duration.ofDays(7),
        "deliveryTimeout (aep.delivery.timeout.ms)");
    return this;
  }

  /**
   * The limit on one HTTP attempt, 100 ms to 10 min (key {@code aep.request.timeout.ms}); default {@value
   * #DEFAULT_REQUEST_TIMEOUT_MS} ms, or {@code deliveryTimeout - linger} when that is shorter. With {@code linger}, at
   * most the delivery timeout.
   */
  public AepStreamingClientBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = requireDuration(timeout, Duration.ofMillis(100), Duration.ofMinutes(10),
        "requestTimeout (aep.request.timeout.ms)");
    this.requestTimeoutSet = true;
    return this;
  }

  /**
   * TCP/TLS connect timeout, 100 ms to 5 min (key {@code aep.connect.timeout.ms}); default
   * {@value #DEFAULT_CONNECT_TIMEOUT_MS} ms.
   */
  public AepStreamingClientBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = requireDuration(timeout, Duration.ofMillis(100), Duration.ofMinutes(5),
        "connectTimeout (aep.connect.timeout.ms)");
    return this;
  }

  /**
   * Retry back-off: the first delay, doubling up to {@code max}, with ±25% jitter and never above {@code max} (keys
   * {@code aep.retry.backoff.ms}, {@code aep.retry.backoff.max.ms}); default {@value #DEFAULT_RETRY_BACKOFF_MS} ms to
   * {@value #DEFAULT_RETRY_BACKOFF_MAX_MS} ms. {@code initial} may equal {@code max} (a fixed delay); {@link #build()}
   * refuses {@code initial > max}. A {@code Retry-After} from AEP can lengthen a wait, never shorten it below the
   * back-off.
   */
  public AepStreamingClientBuilder retryBackoff(Duration initial, Duration max) {
    this.initialBackoff = requireDuration(initial, Duration.ofMillis(1), Duration.ofMinutes(1),
        "initial back-off (aep.retry.backoff.ms)");
    this.maxBackoff = requireDuration(max, Duration.ofMillis(1), Duration.ofMinutes(10),
        "max back-off (aep.retry.backoff.max.ms)");
    return this;
  }

  /**
   * Gzip request bodies ({@code Content-Encoding: gzip}; key {@code aep.gzip}); default {@value #DEFAULT_GZIP}, because
   * AEP's documentation does not confirm DCS accepts it. Batch limits count uncompressed bytes.
   */
  public AepStreamingClientBuilder gzip(boolean gzip) {
    this.gzip = gzip;
    return this;
  }

  /**
   * The HTTP version spoken to DCS and IMS (key {@code aep.http.protocol}: {@code HTTP_1_1} or {@code HTTP_2});
   * default {@link HttpProtocol#HTTP_1_1}. Applies also to a client passed to {@link #httpClient(OkHttpClient)}.
   *
   * @throws NullPointerException if {@code protocol} is null
   */
  public AepStreamingClientBuilder httpProtocol(HttpProtocol protocol) {
    this.httpProtocol = Objects.requireNonNull(protocol, "httpProtocol (aep.http.protocol)");
    return this;
  }

  /** A client-side limit on requests per second, above 0 (key {@code aep.rate.limit.rps}); default none. */
  public AepStreamingClientBuilder maxRequestsPerSecond(double requestsPerSecond) {
    if (!(requestsPerSecond > 0) || requestsPerSecond > 1_000_000) {
      throw new IllegalArgumentException("maxRequestsPerSecond (aep.rate.limit.rps) must be above 0 and at most"
          + " 1,000,000, got " + requestsPerSecond);
    }
    this.maxRequestsPerSecond = requestsPerSecond;
    return this;
  }

  /**
   * Development only: send each message alone to {@code /collection/{id}?syncValidation=true}, so AEP validates it
   * before answering (key {@code aep.sync.validation}). AEP caps this at 60 requests a minute; regions without it
   * answer 501, which fails the message. Default {@value #DEFAULT_SYNC_VALIDATION}.
   */
  public AepStreamingClientBuilder syncValidation(boolean syncValidation) {
    this.syncValidation = syncValidation;
    return this;
  }

  /**
   * Allow plain {@code http://} inlet and IMS URLs to hosts that are not loopback (key
   * {@code aep.allow.insecure.http}). Tokens and data then travel unencrypted; meant for test rigs only. Default
   * {@value #DEFAULT_ALLOW_INSECURE_HTTP}.
   */
  public AepStreamingClientBuilder allowInsecureHttp(boolean allow) {
    this.allowInsecureHttp = allow;
    return this;
  }

  /**
   * An {@link OkHttpClient} to derive the client's HTTP stack from, for your TLS, proxy, interceptor or event
   * listener settings. Its connection pool is shared (size it to at least {@code maxInFlightRequests}: OkHttp's
   * default pool keeps 5 idle connections, and the client then opens and closes connections all the time); the
   * client uses its own dispatcher, timeouts, threads and {@link #httpProtocol HTTP version}, and leaves your client
   * untouched. Redirects are never followed, whatever your client says: a redirect would
   * carry the IMS form or a batch with its headers to another host.
   *
   * <p><b>Interceptors see secrets:</b> an interceptor on this client sees every request, including the form
   * posted to IMS with the client secret (and JWT), and the {@code Authorization} header. A body-logging
   * interceptor (such as OkHttp's {@code HttpLoggingInterceptor} at level {@code BODY}) would write the client
   * secret to your logs; use level {@code BASIC}/{@code HEADERS} with {@code redactHeader("Authorization")}, or
   * none.
   */
  public AepStreamingClientBuilder httpClient(OkHttpClient httpClient) {
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    return this;
  }

  /** An HTTP proxy for this client only (keys {@code aep.proxy.host}, {@code aep.proxy.port}). */
  public AepStreamingClientBuilder proxy(String host, int port) {
    this.proxyHost = requireText(host, "proxy host (aep.proxy.host)").trim();
    this.proxyPort = requireRange(port, 1, 65535, "proxy port (aep.proxy.port)");
    return this;
  }

  /**
   * Basic credentials for the proxy, used by this client only; never set JVM-wide (keys {@code aep.proxy.user},
   * {@code aep.proxy.password}).
   */
  public AepStreamingClientBuilder proxyCredentials(String user, String password) {
    this.proxyUser = requireText(user, "proxy user (aep.proxy.user)").trim();
    this.proxyPassword = Objects.requireNonNull(password, "proxy password (aep.proxy.password)");
    return this;
  }

  /** Sees every message's outcome; see {@link DeliveryListener}. Default: none. */
  public AepStreamingClientBuilder deliveryListener(DeliveryListener listener) {
    this.deliveryListener = Objects.requireNonNull(listener, "deliveryListener");
    return this;
  }

  /**
   * A name for this client's threads ({@code aep-client-{name}-…}) and log lines (key {@code aep.client.name});
   * default a number.
   */
  public AepStreamingClientBuilder clientName(String name) {
    requireText(name, "clientName (aep.client.name)");
    if (!name.matches("[A-Za-z0-9._-]{1,40}")) {
      throw new IllegalArgumentException("clientName (aep.client.name) may use letters, digits, '.', '_' and '-'"
          + " (at most 40), got '" + name + "'");
    }
    this.clientName = name;
    return this;
  }

  /**
   * Checks the settings together and builds the client, which starts its threads.
   *
   * @throws IllegalArgumentException naming the setting, its key and the fix, when the settings do not fit
   *     together: no inlet URL, a plain-http URL to a non-loopback host without {@link #allowInsecureHttp(boolean)},
   *     a batch limit above the request limit, a buffer smaller than one request, an initial back-off above the
   *     max back-off, a delivery timeout shorter than {@code linger + requestTimeout}, an unreadable JWT key, ...
   */
  public AepStreamingClient build() {
    return new DefaultAepStreamingClient(config());
  }

  ClientConfig config() {
    if (inletUrl == null) {
      throw new IllegalArgumentException("inletUrl (aep.inlet.url) is not set: pass the streaming inlet URL,"
          + " https://dcs.adobedc.net/collection/{INLET_ID}, shown when the streaming connection was created");
    }
    InletEndpoint endpoint = InletEndpoint.parse(inletUrl);
    if (!endpoint.isSecureOrLoopback() && !allowInsecureHttp) {
      throw new IllegalArgumentException("inletUrl (aep.inlet.url) uses plain http to " + endpoint.inletUrl().host()
          + ": use https, or set allowInsecureHttp (aep.allow.insecure.http=true) for a test rig");
    }
    HttpUrl ims = HttpUrl.parse(imsUrl);
    if (ims == null) {
      throw new IllegalArgumentException("imsUrl (aep.ims.url) is not an http(s) URL: '"
          + InletEndpoint.withoutUserInfo(imsUrl) + "'");
    }
    InletEndpoint.requireNoUserInfo(ims, "imsUrl (aep.ims.url)");
    boolean usesIms = auth instanceof AepAuth.OAuth || auth instanceof AepAuth.Jwt;
    if (usesIms && !ims.isHttps() && !InletEndpoint.isLoopback(ims.host())
        && !allowInsecureHttp) {
      throw new IllegalArgumentException("imsUrl (aep.ims.url) uses plain http to " + ims.host()
          + ": use https, or set allowInsecureHttp (aep.allow.insecure.http=true) for a test rig");
    }
    if (maxBatchBytes > maxRequestBytes) {
      throw new IllegalArgumentException("maxBatchBytes (aep.batch.max.bytes) is " + maxBatchBytes
          + ", above the request limit maxRequestBytes (aep.max.request.bytes) of " + maxRequestBytes
          + ": AEP refuses larger requests with 413; lower maxBatchBytes");
    }
    if (maxBufferedBytes < maxRequestBytes) {
      throw new IllegalArgumentException("maxBufferedBytes (aep.buffer.max.bytes) is " + maxBufferedBytes
          + ", below the request limit of " + maxRequestBytes + ": the buffer must hold at least one full request");
    }
    Duration effectiveRequestTimeout = requestTimeout;
    if (deliveryTimeout.compareTo(linger.plus(requestTimeout)) < 0) {
      if (requestTimeoutSet || deliveryTimeout.minus(linger).compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("deliveryTimeout (aep.delivery.timeout.ms) " + deliveryTimeout
            + " is shorter than linger (aep.linger.ms) " + linger + " + requestTimeout (aep.request.timeout.ms) "
            + requestTimeout + ": a message could not get one full attempt before its deadline; raise"
            + " deliveryTimeout or lower linger/requestTimeout");
      }
      effectiveRequestTimeout = deliveryTimeout.minus(linger); // the default 30 s would not fit
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("max back-off (aep.retry.backoff.max.ms) " + maxBackoff
          + " is below the initial back-off (aep.retry.backoff.ms) " + initialBackoff);
    }
    if (proxyUser != null && proxyHost == null) {
      throw new IllegalArgumentException("proxy credentials (aep.proxy.user) are set without a proxy: set"
          + " aep.proxy.host and aep.proxy.port too");
    }
    if (auth instanceof AepAuth.Jwt jwt) {
      jwt.privateKey().load(); // fail here, not at the first send, when the key cannot be read
    }
    String name = clientName != null ? clientName : String.valueOf(CLIENT_IDS.incrementAndGet());
    return new ClientConfig("aep-client-" + name, endpoint, auth, ims, sandbox, sandboxHeader,
        orgId != null ? orgId : auth.orgId().orElse(null), apiKey != null ? apiKey : auth.clientId().orElse(null),
        flowId, Map.copyOf(headers), syncValidation ? 1 : maxBatchRecords, maxBatchBytes, maxRequestBytes, linger,
        maxInFlightRequests, maxBufferedBytes, bufferFullPolicy, maxBlock, deliveryTimeout, effectiveRequestTimeout,
        connectTimeout, initialBackoff, maxBackoff, gzip, maxRequestsPerSecond, syncValidation, httpClient,
        proxyHost, proxyPort, proxyUser, proxyPassword, deliveryListener, adaptiveConcurrency, httpProtocol);
  }

  /**
   * A setting sent as a header value, trimmed: OkHttp's rules checked at the setter, so that the error names the
   * setting and never shows the value (OkHttp's own, at build, named neither and echoed it).
   */
  private static String headerValue(String value, String what) {
    String text = requireText(value, what).trim();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < ' ' && c != '\t') || c >= 0x7f) {
        throw new IllegalArgumentException(what + " has a character not allowed in HTTP headers at index " + i
            + " (" + (c < ' ' || c == 0x7f ? "a control character" : "not ASCII") + "); the value is not shown");
      }
    }
    return text;
  }

  /** A setting that names a header, trimmed: visible ASCII only, as OkHttp requires. */
  private static String headerName(String name, String what) {
    String text = requireText(name, what).trim();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException(what + " has a character not allowed in HTTP header names at index " + i
            + ": use visible ASCII characters without spaces");
      }
    }
    return text;
  }

  /** OkHttp's header rules, checked here so that the error names the setting and never shows the value. */
  private static void requireHeaderText(String name, String value) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException("header name (aep.headers) has a character not allowed in HTTP header"
            + " names at index " + i + ": use visible ASCII characters without spaces");
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < ' ' && c != '\t') || c >= 0x7f) {
        throw new IllegalArgumentException("header " + name + " (aep.headers) has a value with a character not"
            + " allowed in HTTP headers at index " + i + " (" + (c < ' ' || c == 0x7f ? "a control character" : "not ASCII")
            + "); the value is not shown");
      }
    }
  }
}
