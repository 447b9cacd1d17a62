package dev.aepclient.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.aepclient.testkit.internal.DcsHandler;
import dev.aepclient.testkit.internal.FaultPlan;
import dev.aepclient.testkit.internal.ImsHandler;
import dev.aepclient.testkit.internal.Recorder;
import dev.aepclient.testkit.internal.RejectionRule;
import dev.aepclient.testkit.internal.Responder;
import dev.aepclient.testkit.internal.SelfSignedCertificate;
import dev.aepclient.testkit.internal.SimulatorSettings;
import dev.aepclient.testkit.internal.TokenStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * An in-process stand-in for Adobe Experience Platform's streaming inlet (DCS) and Adobe IMS, on a loopback port,
 * that answers as {@code AEP-PROTOCOL.md} describes: {@code /collection/{inlet}} (200 with an {@code xactionId}),
 * {@code /collection/batch/{inlet}} (207 with one {@code responses} entry per message), 404 for unknown inlets, 413
 * above 1 MB, 401/403 for missing or bad tokens, {@code /ims/token/v3} and {@code /ims/exchange/jwt}.
 *
 * <pre>{@code
 * try (AepSimulator aep = AepSimulator.builder().idPointer("/id").start()) {
 *   AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build();
 *   ...
 *   assertThat(aep.acceptedCount()).isEqualTo(n);
 * }
 * }</pre>
 *
 * <p>Tests steer it while it runs: {@link #rejectWhen} refuses matching messages, {@link #enqueueFaults} and
 * {@link #randomFaults} inject 429s, 5xx, delays, dropped connections, broken answers and token expiry, and the
 * read-back methods tell what it accepted, how often, and what it answered. Thread-safe. Starts in milliseconds
 * (HTTPS mode adds a freshly generated certificate); {@link #close()} stops it.
 *
 * <p><b>Realism.</b> By default it answers at once, without limits. {@link Builder#latency(Duration, Duration)} holds
 * every DCS answer for a round trip (fixed plus seeded uniform jitter), {@link Builder#bandwidthBytesPerSecond(long)}
 * queues request and answer bytes on one shared link of that speed, and {@link Builder#rateLimit(double, double)}
 * throttles each inlet as AEP does (token buckets of requests/s and messages/s, 429 with {@code Retry-After} in
 * whole seconds). Held answers wait on one timer thread, not on server threads, so hundreds of requests in flight
 * cost no more threads. {@link AepSimulatorMain} runs one in its own process for benchmarks that measure the client
 * alone.
 *
 * <p><b>JVM-wide setting.</b> The JDK's HTTP server has no per-server switch for {@code TCP_NODELAY}: it reads the
 * system property {@value #NODELAY_PROPERTY} once per JVM. Without it, the client's delayed ACK stalls every answer
 * by ~40 ms, so the first {@link Builder#start()} in a JVM sets it to {@code true} unless it is already set (set it
 * to {@code false} yourself before the first start to keep Nagle's algorithm); this affects every
 * {@code com.sun.net.httpserver} server of the JVM that is created afterwards. Loading this class sets nothing.
 */
public final class AepSimulator implements AutoCloseable {
  /** The JDK HTTP server's JVM-wide {@code TCP_NODELAY} switch; see the class comment. */
  public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  /** The inlet every simulator serves unless told otherwise; unauthenticated. */
  public static final String DEFAULT_INLET = "inlet-1";

  private final SimulatorSettings settings;
  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final SelfSignedCertificate certificate;
  private final TokenStore tokens;
  private final FaultPlan faults = new FaultPlan();
  private final FaultPlan imsFaults = new FaultPlan();
  private final Responder responder;
  private final Recorder recorder;
  private final List<RejectionRule> rules = new CopyOnWriteArrayList<>();
  private final ImsHandler ims;
  private final String baseUrl;

  private AepSimulator(SimulatorSettings settings) throws IOException {
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      // Read by the JDK server once per JVM, when the first one starts: see the class comment.
      System.setProperty(NODELAY_PROPERTY, "true");
    }
    this.settings = settings;
    Clock clock = Clock.systemUTC();
    this.tokens = new TokenStore(clock);
    this.recorder = new Recorder(settings.keepMessages());
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port());
    if (settings.https()) {
      certificate = new SelfSignedCertificate();
      HttpsServer https = HttpsServer.create(address, 1024);
      https.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
      server = https;
    } else {
      certificate = null;
      server = HttpServer.create(address, 1024);
    }
    AtomicInteger threadNumber = new AtomicInteger();
    executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(4096), r -> {
          Thread t = new Thread(r, "aep-simulator-" + threadNumber.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    responder = new Responder(executor);
    String host = "127.0.0.1";
    baseUrl = (settings.https() ? "https://" : "http://") + host + ":" + server.getAddress().getPort();
    this.ims = new ImsHandler(settings, tokens, recorder, clock, () -> baseUrl, imsFaults, responder);
    server.createContext("/collection/", new DcsHandler(settings, tokens, faults, recorder, rules, responder));
    server.createContext("/ims/", ims);
    server.start();
  }

  /** A simulator with the defaults of {@link Builder}, started. */
  public static AepSimulator start() {
    return builder().start();
  }

  /** A builder; see its methods for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code http(s)://127.0.0.1:{port}}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The inlet URL of {@link #DEFAULT_INLET}, as AEP hands it out: {@code …/collection/inlet-1}. */
  public String inletUrl() {
    return inletUrl(DEFAULT_INLET);
  }

  /** The inlet URL of {@code inletId} (served or not: an unserved one answers 404). */
  public String inletUrl(String inletId) {
    return baseUrl + "/collection/" + inletId;
  }

  /** The IMS base URL to give the client ({@code imsUrl}); the same host. */
  public String imsUrl() {
    return baseUrl;
  }

  /** The port it listens on, on the loopback address. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * An SSLContext that trusts this simulator's certificate (and nothing else), for HTTPS mode.
   *
   * @throws IllegalStateException in HTTP mode
   */
  public SSLContext clientSslContext() {
    return requireHttps().clientContext();
  }

  /** The trust manager behind {@link #clientSslContext()}, as OkHttp's {@code sslSocketFactory} wants it. */
  public X509TrustManager trustManager() {
    return requireHttps().trustManager();
  }

  /** The self-signed certificate of HTTPS mode. */
  public X509Certificate certificate() {
    return requireHttps().certificate();
  }

  private SelfSignedCertificate requireHttps() {
    if (certificate == null) {
      throw new IllegalStateException("the simulator runs plain HTTP: build it with https(true)");
    }
    return certificate;
  }

  // ---- steering ----

  /**
   * Refuses every message matching {@code when} with a per-message {@code status} and {@code message} (in a 207
   * entry, or as the whole answer of the single-message endpoint). Rules apply in the order added; they need the
   * validating mode.
   *
   * @throws IllegalArgumentException for a status outside 400–599
   */
  public AepSimulator rejectWhen(Predicate<JsonNode> when, int status, String message) {
    Objects.requireNonNull(when, "when");
    Objects.requireNonNull(message, "message");
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("a rejection status must be 4xx or 5xx, got " + status);
    }
    rules.add(new RejectionRule(when, status, message));
    return this;
  }

  /** Removes every rule of {@link #rejectWhen}. */
  public void clearRejections() {
    rules.clear();
  }

  /** The next DCS requests meet these faults, one each, in order (before any random fault). */
  public AepSimulator enqueueFaults(Fault... faults) {
    this.faults.enqueue(Arrays.asList(faults));
    return this;
  }

  /**
   * The next {@code count} DCS requests meet {@code fault}, one each (for example as many stalls as the client has
   * requests in flight).
   *
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public AepSimulator enqueueFaults(int count, Fault fault) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    this.faults.enqueue(java.util.Collections.nCopies(count, Objects.requireNonNull(fault, "fault")));
    return this;
  }

  /**
   * From now on each DCS request meets a fault drawn at random: {@code mix} maps faults to probabilities (adding up to
   * at most 1; the rest of requests are served normally). Same seed, same map order, same requests: same faults.
   *
   * @throws IllegalArgumentException if a probability is negative or they add up to more than 1
   */
  public AepSimulator randomFaults(long seed, Map<Fault, Double> mix) {
    faults.random(seed, new LinkedHashMap<>(mix));
    return this;
  }

  /**
   * The next IMS token requests meet these faults, one each, in order: {@link Fault#status} (IMS failing; with
   * {@code Retry-After} if set), {@link Fault#delay} (IMS slow), {@link Fault#hold()} (IMS never answering, until
   * this simulator closes), {@link Fault#dropConnection()}, {@link Fault#slowBody}. Other kinds are ignored.
   */
  public AepSimulator enqueueImsFaults(Fault... faults) {
    this.imsFaults.enqueue(Arrays.asList(faults));
    return this;
  }

  /**
   * From now on each IMS token request meets a fault drawn at random, as {@link #randomFaults} does for DCS.
   *
   * @throws IllegalArgumentException if a probability is negative or they add up to more than 1
   */
  public AepSimulator randomImsFaults(long seed, Map<Fault, Double> mix) {
    imsFaults.random(seed, new LinkedHashMap<>(mix));
    return this;
  }

  /** Drops queued and random faults, DCS and IMS. */
  public void clearFaults() {
    faults.clear();
    imsFaults.clear();
  }

  /** Every token issued so far expires now: the next request with one gets 403. */
  public void expireTokensNow() {
    tokens.expireAll();
  }

  /** IMS answers 503 for {@code duration} from now. */
  public void imsOutage(Duration duration) {
    ims.downUntil(java.time.Instant.now().plus(duration));
  }

  // ---- reading back ----

  /** Messages accepted, duplicates included. */
  public long acceptedCount() {
    return recorder.acceptedCount();
  }

  /** Messages refused per message (rules, not-an-object). */
  public long rejectedCount() {
    return recorder.rejectedCount();
  }

  /** Every accepted message with its id and receipt; empty unless {@link Builder#keepMessages(boolean)}. */
  public List<AcceptedMessage> acceptedMessages() {
    return recorder.messages();
  }

  /** How many times each id (at the {@link Builder#idPointer(String)}) was accepted; a copy. */
  public Map<String, Integer> acceptedIds() {
    return recorder.acceptedIds();
  }

  /**
   * How many times each id was reported accepted to the client, in an answer written whole (not cut, not garbled,
   * not missing its {@code responses}, one entry per message); needs {@link Builder#idPointer(String)}. A message accepted but not
   * acknowledged may legitimately be reported failed by a client (it could not know); one acknowledged must not.
   */
  public Map<String, Integer> acknowledgedIds() {
    return recorder.acknowledgedIds();
  }

  /** How many times the message with this id was accepted. */
  public int timesAccepted(String id) {
    return recorder.timesAccepted(id);
  }

  /** Accepted messages beyond the first of each id: what retries of already-accepted requests cost. */
  public long duplicates() {
    return recorder.duplicates();
  }

  /** Requests answered per status (0: connection dropped), IMS included. */
  public Map<Integer, Long> requestsByStatus() {
    return recorder.statuses();
  }

  /** The last 10,000 requests with their headers, oldest first. */
  public List<RecordedRequest> requests() {
    return recorder.requests();
  }

  /** Access tokens IMS issued. */
  public long tokensIssued() {
    return tokens.issued();
  }

  /** Forgets what was recorded; rules, faults and tokens stay. */
  public void resetRecords() {
    recorder.reset();
  }

  /** Stops serving at once (held and waiting answers are dropped) and releases the port and threads. Idempotent. */
  @Override
  public void close() {
    responder.close();
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "AepSimulator[" + baseUrl + ", inlets=" + settings.inlets().keySet() + "]";
  }

  /**
   * Configures a simulator. Defaults: HTTP on an ephemeral loopback port, one unauthenticated inlet
   * {@value #DEFAULT_INLET}, 1,000,000-byte request limit, validating mode, ids not extracted, accepted messages not
   * kept, tokens valid 24 h, no required headers, 16 server threads, no latency, no bandwidth cap, no rate limit.
   * Not thread-safe.
   */
  public static final class Builder {
    private boolean https;
    private int port;
    private int threads = 16;
    private int maxRequestBytes = 1_000_000;
    private final Map<String, Boolean> inlets = new LinkedHashMap<>();
    private final Map<String, SimulatorSettings.OAuthCredential> oauth = new LinkedHashMap<>();
    private final Map<String, SimulatorSettings.JwtCredential> jwt = new LinkedHashMap<>();
    private Duration tokenLifetime = Duration.ofHours(24);
    private String requiredOrgId;
    private String requiredSandbox;
    private String sandboxHeader = "x-sandbox-name";
    private String requiredFlowId;
    private String idPointer;
    private boolean validating = true;
    private boolean keepMessages;
    private boolean syncValidationSupported = true;
    private Duration latency = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private long seed;
    private long bandwidthBytesPerSecond;
    private double requestsPerSecond;
    private double messagesPerSecond;

    private Builder() {}

    /**
     * Hold every DCS answer for a round trip of {@code fixed} plus a uniformly drawn {@code [0, jitter]} (seeded by
     * {@link #seed}); default zero and zero. Waiting answers occupy no server thread.
     *
     * @throws IllegalArgumentException if either is null or negative, or their sum is above one hour
     */
    public Builder latency(Duration fixed, Duration jitter) {
      if (fixed == null || jitter == null || fixed.isNegative() || jitter.isNegative()
          || fixed.plus(jitter).compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("latency must be 0 to 1 h (fixed plus jitter), got " + fixed + " + "
            + jitter);
      }
      this.latency = fixed;
      this.jitter = jitter;
      return this;
    }

    /** The seed of the latency jitter; default 0. Same seed, same order of requests: same delays. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * A bandwidth cap in bytes per second, shared by all DCS requests and answers (each answer is released when its
     * request and answer bytes would have crossed one link of that speed); default 0, no cap.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder bandwidthBytesPerSecond(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("bandwidthBytesPerSecond must not be negative, got " + bytesPerSecond);
      }
      this.bandwidthBytesPerSecond = bytesPerSecond;
      return this;
    }

    /**
     * A rate limit per inlet, as AEP's (about 1,000 requests/s and 10,000 messages/s): two token buckets, each
     * holding one second's worth. A request over the limit is answered 429 with {@code Retry-After} in whole
     * seconds (at least 1) until enough tokens are back; it consumes none. A batch with more messages than the
     * message bucket holds passes when the bucket is full. {@link Double#POSITIVE_INFINITY} leaves one dimension
     * unlimited. Default: no limit.
     *
     * @throws IllegalArgumentException if either is not positive (NaN included)
     */
    public Builder rateLimit(double requestsPerSecond, double messagesPerSecond) {
      if (!(requestsPerSecond > 0) || !(messagesPerSecond > 0)) {
        throw new IllegalArgumentException("rateLimit requestsPerSecond and messagesPerSecond must be positive, got "
            + requestsPerSecond + " and " + messagesPerSecond);
      }
      this.requestsPerSecond = requestsPerSecond;
      this.messagesPerSecond = messagesPerSecond;
      return this;
    }

    /** Serve HTTPS with a self-signed certificate made at start; default false. */
    public Builder https(boolean https) {
      this.https = https;
      return this;
    }

    /** A fixed port; default 0 (ephemeral). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Server threads, 1 to 256; default 16. They read requests and write answers; latency, delays, slow bodies and
     * held requests wait on a timer and hold none.
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be 1 to 256, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** The request size limit (413 above it), counted on the decompressed body; default 1,000,000. */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes must be positive, got " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** Serve an unauthenticated inlet; once any inlet is named, {@value #DEFAULT_INLET} is no longer implied. */
    public Builder inlet(String inletId) {
      inlets.put(requireText(inletId, "inletId"), false);
      return this;
    }

    /** Serve an inlet that needs a token issued by this simulator's IMS. */
    public Builder authenticatedInlet(String inletId) {
      inlets.put(requireText(inletId, "inletId"), true);
      return this;
    }

    /** An OAuth Server-to-Server credential IMS accepts, with Platform's default scopes allowed. */
    public Builder oauthCredential(String clientId, String clientSecret) {
      return oauthCredential(clientId, clientSecret, Set.of("openid", "AdobeID", "read_organizations",
          "additional_info.projectedProductContext", "session"));
    }

    /** An OAuth Server-to-Server credential IMS accepts; a requested scope outside {@code allowedScopes} is refused. */
    public Builder oauthCredential(String clientId, String clientSecret, Set<String> allowedScopes) {
      oauth.put(requireText(clientId, "clientId"), new SimulatorSettings.OAuthCredential(
          requireText(clientSecret, "clientSecret"), Set.copyOf(new LinkedHashSet<>(allowedScopes))));
      return this;
    }

    /** A Service Account (JWT) credential: JWTs must be signed by the key matching {@code publicKey}. */
    public Builder jwtCredential(String clientId, String clientSecret, String orgId, String technicalAccountId,
        PublicKey publicKey) {
      jwt.put(requireText(clientId, "clientId"), new SimulatorSettings.JwtCredential(
          requireText(clientSecret, "clientSecret"), requireText(orgId, "orgId"),
          requireText(technicalAccountId, "technicalAccountId"), Objects.requireNonNull(publicKey, "publicKey"),
          "ent_dataservices_sdk"));
      return this;
    }

    /** How long issued tokens are valid; default 24 h. Short lifetimes test refresh. */
    public Builder tokenLifetime(Duration lifetime) {
      if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("tokenLifetime must be positive, got " + lifetime);
      }
      this.tokenLifetime = lifetime;
      return this;
    }

    /** Answer 400 to DCS requests without {@code x-gw-ims-org-id: orgId}. */
    public Builder requireOrgId(String orgId) {
      this.requiredOrgId = requireText(orgId, "orgId");
      return this;
    }

    /** Answer 400 to DCS requests without {@code x-sandbox-name: sandbox}. */
    public Builder requireSandbox(String sandbox) {
      this.requiredSandbox = requireText(sandbox, "sandbox");
      return this;
    }

    /** The header {@link #requireSandbox} checks; default {@code x-sandbox-name}. */
    public Builder sandboxHeader(String header) {
      this.sandboxHeader = requireText(header, "header");
      return this;
    }

    /** Answer 400 to DCS requests without {@code x-adobe-flow-id: flowId}. */
    public Builder requireFlowId(String flowId) {
      this.requiredFlowId = requireText(flowId, "flowId");
      return this;
    }

    /** A JSON pointer ({@code /id}, {@code /body/xdmEntity/_id}) to each message's id, counted per id. */
    public Builder idPointer(String pointer) {
      if (pointer == null || !pointer.startsWith("/")) {
        throw new IllegalArgumentException("idPointer must be a JSON pointer such as /id, got " + pointer);
      }
      this.idPointer = pointer;
      return this;
    }

    /**
     * Counting mode (for benchmarks): find messages by tracking brackets and strings instead of parsing every
     * byte, and skip rules and ids. Default false: every body is fully parsed.
     */
    public Builder countingMode(boolean counting) {
      this.validating = !counting;
      return this;
    }

    /** Keep a copy of every accepted message for {@link AepSimulator#acceptedMessages()}; default false. */
    public Builder keepMessages(boolean keep) {
      this.keepMessages = keep;
      return this;
    }

    /** Whether {@code ?syncValidation=true} is served (else 501, as in regions without it); default true. */
    public Builder syncValidationSupported(boolean supported) {
      this.syncValidationSupported = supported;
      return this;
    }

    /**
     * Starts the simulator.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public AepSimulator start() {
      Map<String, Boolean> served = inlets.isEmpty() ? Map.of(DEFAULT_INLET, false) : Map.copyOf(inlets);
      SimulatorSettings settings = new SimulatorSettings(https, port, threads, maxRequestBytes, served,
          Map.copyOf(oauth), Map.copyOf(jwt), tokenLifetime, requiredOrgId, requiredSandbox, sandboxHeader,
          requiredFlowId, idPointer, validating, keepMessages, syncValidationSupported, latency, jitter, seed,
          bandwidthBytesPerSecond, requestsPerSecond, messagesPerSecond);
      try {
        return new AepSimulator(settings);
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the simulator on port " + port, e);
      }
    }

    private static String requireText(String value, String what) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      return value;
    }
  }
}
