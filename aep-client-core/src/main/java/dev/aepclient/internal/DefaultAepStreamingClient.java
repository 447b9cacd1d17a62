package dev.aepclient.internal;

import dev.aepclient.AepAuth;
import dev.aepclient.AepBufferFullException;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.BufferFullPolicy;
import dev.aepclient.Delivery;
import dev.aepclient.HttpProtocol;
import dev.aepclient.auth.AccessTokenProvider;
import dev.aepclient.internal.auth.FixedTokenProvider;
import dev.aepclient.internal.auth.JwtTokenProvider;
import dev.aepclient.internal.auth.OAuthTokenProvider;
import dev.aepclient.internal.auth.TokenCache;
import dev.aepclient.internal.batch.Accumulator;
import dev.aepclient.internal.batch.Batch;
import dev.aepclient.internal.batch.BufferBudget;
import dev.aepclient.internal.batch.Outcomes;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.internal.config.ClientConfig;
import dev.aepclient.internal.http.NoAutomaticRetry;
import dev.aepclient.internal.http.NoDelaySocketFactory;
import dev.aepclient.internal.http.ProxyAuthenticator;
import dev.aepclient.internal.http.UserAgentInterceptor;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import dev.aepclient.internal.send.BatchSender;
import dev.aepclient.internal.send.ConcurrencyLimit;
import dev.aepclient.internal.util.NamedThreadFactory;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AepStreamingClient}: wires budget, accumulator, sender, token cache and metrics together, owns the
 * threads ({@code aep-client-{name}-scheduler}, {@code -auth}, {@code -io-N}) and runs the close sequence.
 *
 * <p>Each of its threads carries a marker of this client, so {@code flush} and {@code close} can tell when they
 * are called from one of them (a completion callback, a {@code DeliveryListener}, a token provider) and refuse
 * with an {@link IllegalStateException} instead of waiting for answers that the calling thread itself would have
 * to process.
 */
public final class DefaultAepStreamingClient implements AepStreamingClient {
  private static final Logger log = LoggerFactory.getLogger(DefaultAepStreamingClient.class);
  /** The client whose thread this is (its marker), on the client's own threads; null elsewhere. */
  private static final ThreadLocal<Object> CLIENT_OF_THREAD = new ThreadLocal<>();

  private final ClientConfig config;
  private final Clock clock = Clock.systemUTC();
  private final ScheduledThreadPoolExecutor scheduler;
  private final ExecutorService authExecutor;
  private final ExecutorService ioExecutor;
  private final OkHttpClient http;
  private final boolean ownsConnectionPool;
  private final BufferBudget budget;
  private final ClientMetricsRecorder metrics = new ClientMetricsRecorder();
  private final Outcomes outcomes;
  private final BatchSender sender;
  private final Accumulator accumulator;
  private final ConcurrencyLimit inFlightLimit;
  private final int maxMessageBytes;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Completes when the close that won the race has shut everything down. */
  private final CompletableFuture<Void> closeFinished = new CompletableFuture<>();
  private final Object threadMarker = new Object();

  public DefaultAepStreamingClient(ClientConfig config) {
    this.config = config;
    String name = config.clientName();
    this.scheduler = new ScheduledThreadPoolExecutor(1, ownThreads(name + "-scheduler"));
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.authExecutor = Executors.newSingleThreadExecutor(ownThreads(name + "-auth"));
    this.ioExecutor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
        ownThreads(name + "-io"));
    this.ownsConnectionPool = config.httpClient() == null;
    this.http = buildHttpClient(config, ioExecutor);
    this.budget = new BufferBudget((int) config.maxBufferedBytes());
    this.outcomes = new Outcomes(budget, metrics, config.deliveryListener(), System::nanoTime);
    this.inFlightLimit = config.adaptiveConcurrency() ? ConcurrencyLimit.adaptive(config.maxInFlightRequests())
        : ConcurrencyLimit.fixed(config.maxInFlightRequests());
    AccessTokenProvider provider = tokenProvider(config, http, clock);
    TokenCache tokens = provider == null ? null : new TokenCache(provider, authExecutor, clock);
    this.sender = new BatchSender(http, new BatchSender.Settings(config.endpoint(), staticHeaders(config),
        config.gzip(), config.syncValidation(), config.deliveryTimeout(), config.requestTimeout(),
        config.initialBackoff(),
        config.maxBackoff(), config.maxRequestsPerSecond()), tokens, outcomes, metrics, scheduler, clock,
        System::nanoTime, inFlightLimit);
    this.accumulator = new Accumulator(config.maxBatchRecords(), config.maxBatchBytes(), config.linger().toNanos(),
        inFlightLimit::current, scheduler, sender::send, outcomes, System::nanoTime, metrics::batchClosed);
    this.maxMessageBytes = config.syncValidation() ? config.maxRequestBytes()
        : config.maxRequestBytes() - Batch.FRAME_BYTES;
    log.info("{} started: {}", name, config);
  }

  /** Named daemon threads that carry this client's marker. */
  private ThreadFactory ownThreads(String prefix) {
    NamedThreadFactory named = new NamedThreadFactory(prefix);
    Object marker = threadMarker;
    return task -> named.newThread(() -> {
      CLIENT_OF_THREAD.set(marker);
      task.run();
    });
  }

  private boolean onOwnThread() {
    return CLIENT_OF_THREAD.get() == threadMarker;
  }

  /**
   * Runs client work that can settle messages on the caller's thread (close giving up, a batch found expired or
   * the client closed when a send or flush dispatches it), so callbacks run there: the thread counts as the
   * client's meanwhile, and a flush or close from such a callback fails fast instead of waiting for the very batch
   * this thread is settling (close hung forever on a callback that flushed).
   */
  private <T> T asOwnThread(java.util.function.Supplier<T> work) {
    Object previous = CLIENT_OF_THREAD.get();
    CLIENT_OF_THREAD.set(threadMarker);
    try {
      return work.get();
    } finally {
      CLIENT_OF_THREAD.set(previous); // set, not remove: a send on the hot path does not reallocate the entry
    }
  }

  /** flush and close wait for answers this client's threads process: on one of them, they would wait forever. */
  private void refuseOnOwnThread(String method) {
    if (onOwnThread()) {
      throw new IllegalStateException(method + " was called on " + Thread.currentThread().getName() + " while it"
          + " ran this client's work, as one of this client's own threads does (from a completion callback, a"
          + " DeliveryListener or a token provider; or from a callback run by send, flush or close): it would wait for answers that this very thread has to process. Call it from another thread, or chain"
          + " with an *Async method and an executor of your own");
    }
  }

  /** The token source for the configured credential; null for {@link AepAuth#none()}. */
  private static AccessTokenProvider tokenProvider(ClientConfig config, OkHttpClient http, Clock clock) {
    AepAuth auth = config.auth();
    if (auth instanceof AepAuth.OAuth oauth) {
      return new OAuthTokenProvider(oauth, http, config.imsUrl(), clock);
    } else if (auth instanceof AepAuth.Jwt jwt) {
      return new JwtTokenProvider(jwt, http, config.imsUrl(), clock);
    } else if (auth instanceof AepAuth.FixedToken fixed) {
      return new FixedTokenProvider(fixed.token());
    } else if (auth instanceof AepAuth.Provider provider) {
      return provider.provider();
    }
    return null;
  }

  private static OkHttpClient buildHttpClient(ClientConfig config, ExecutorService ioExecutor) {
    Dispatcher dispatcher = new Dispatcher(ioExecutor);
    dispatcher.setMaxRequests(Math.max(64, config.maxInFlightRequests()));
    dispatcher.setMaxRequestsPerHost(Math.max(64, config.maxInFlightRequests()));
    OkHttpClient.Builder builder;
    if (config.httpClient() != null) {
      builder = config.httpClient().newBuilder();
    } else {
      builder = new OkHttpClient.Builder()
          .connectTimeout(config.connectTimeout())
          .connectionPool(new ConnectionPool(config.maxInFlightRequests() + 2, 5, TimeUnit.MINUTES));
    }
    builder.dispatcher(dispatcher)
        .socketFactory(new NoDelaySocketFactory(config.httpClient() != null ? config.httpClient().socketFactory()
            : SocketFactory.getDefault()))
        .callTimeout(config.requestTimeout())
        .readTimeout(config.requestTimeout())
        .writeTimeout(config.requestTimeout())
        // No silent resend by OkHttp: a POST whose connection dropped may have reached AEP; our retry loop resends
        // it under the back-off, the rate limit and the deadline (OkHttp's own retry honoured none of them).
        .retryOnConnectionFailure(false)
        // HTTP/2 only when chosen: its streams share one TCP window and the server's flow-control windows,
        // which the benchmarks have not measured against AEP (see HttpProtocol).
        .protocols(config.httpProtocol() == HttpProtocol.HTTP_2 ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)
            : List.of(Protocol.HTTP_1_1))
        .followRedirects(false) // a redirect would carry the IMS form or a batch and its headers to another host
        .followSslRedirects(false)
        .addNetworkInterceptor(new NoAutomaticRetry());
    if (config.proxyHost() != null) {
      builder.proxy(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(config.proxyHost(),
          config.proxyPort())));
      if (config.proxyUser() != null) {
        builder.proxyAuthenticator(new ProxyAuthenticator(config.proxyUser(), config.proxyPassword()));
      }
    }
    builder.addInterceptor(new UserAgentInterceptor()); // User-Agent: aep-client/{version}
    return builder.build();
  }

  private static Headers staticHeaders(ClientConfig config) {
    Headers.Builder headers = new Headers.Builder().add("Accept", "application/json");
    if (config.orgId() != null) {
      headers.add("x-gw-ims-org-id", config.orgId());
    }
    if (config.apiKey() != null) {
      headers.add("x-api-key", config.apiKey());
    }
    if (config.sandbox() != null) {
      headers.add(config.sandboxHeader(), config.sandbox());
    }
    if (config.flowId() != null) {
      headers.add("x-adobe-flow-id", config.flowId());
    }
    for (Map.Entry<String, String> header : config.headers().entrySet()) {
      headers.set(header.getKey(), header.getValue());
    }
    return headers.build();
  }

  @Override
  public CompletableFuture<Delivery> send(AepMessage message) {
    int cost = checkedCost(message);
    CompletableFuture<Delivery> future = new CompletableFuture<>();
    if (closed.get()) {
      outcomes.refusedAtSend(new PendingMessage(message, future, System.nanoTime(), cost), closedException());
      return future;
    }
    String refusal = acquire(cost);
    if (refusal != null) {
      if (closed.get()) {
        // close() began while this send waited for space: the message is refused because of that.
        outcomes.refusedAtSend(new PendingMessage(message, future, System.nanoTime(), cost), closedException());
        return future;
      }
      outcomes.refusedAtSend(new PendingMessage(message, future, System.nanoTime(), cost),
          new AepBufferFullException("buffer full: " + budget.used() + " of " + config.maxBufferedBytes()
              + " bytes (maxBufferedBytes, aep.buffer.max.bytes) held by unsettled messages" + refusal));
      return future;
    }
    return enqueue(message, future, cost);
  }

  @Override
  public Optional<CompletableFuture<Delivery>> trySend(AepMessage message) {
    int cost = checkedCost(message);
    CompletableFuture<Delivery> future = new CompletableFuture<>();
    if (closed.get()) {
      outcomes.refusedAtSend(new PendingMessage(message, future, System.nanoTime(), cost), closedException());
      return Optional.of(future);
    }
    if (!budget.tryAcquire(cost)) {
      return Optional.empty();
    }
    return Optional.of(enqueue(message, future, cost));
  }

  /**
   * The message's budget cost; refuses a message that cannot fit in one request. The cost is capped at the whole
   * budget, so a message of the largest legal size fits into an empty buffer whatever {@code maxBufferedBytes}.
   */
  private int checkedCost(AepMessage message) {
    if (message == null) {
      throw new IllegalArgumentException("message is null");
    }
    int size = message.sizeInBytes();
    if (size > maxMessageBytes) {
      throw new IllegalArgumentException("message is " + size + " bytes; it cannot fit in one request of at most "
          + config.maxRequestBytes() + " bytes (maxRequestBytes, aep.max.request.bytes)"
          + (config.syncValidation() ? "" : " with the " + Batch.FRAME_BYTES + "-byte {\"messages\":[…]} frame")
          + ", and AEP refuses larger requests (413); split or trim the message");
    }
    return (int) Math.min(BufferBudget.cost(size), config.maxBufferedBytes());
  }

  /** Queues a message whose budget is taken. */
  private CompletableFuture<Delivery> enqueue(AepMessage message, CompletableFuture<Delivery> future, int cost) {
    PendingMessage pending = new PendingMessage(message, future, System.nanoTime(), cost);
    metrics.messageSent();
    if (!asOwnThread(() -> accumulator.append(pending))) {
      outcomes.failed(pending, closedException());
    }
    return future;
  }

  /** Takes the message's space: null when taken, else the end of the refusal's explanation. */
  private String acquire(int cost) {
    if (budget.tryAcquire(cost)) {
      return null;
    }
    if (config.bufferFullPolicy() == BufferFullPolicy.FAIL) {
      return "; AEP is slower than the producer";
    }
    if (onOwnThread()) {
      // Space is freed by this client's threads: waiting on one of them could only wait for itself.
      return "; a send from one of the client's own threads (a callback) never waits for space";
    }
    try {
      return budget.tryAcquire(cost, config.maxBlock().toNanos()) ? null
          : " for longer than maxBlock (" + config.maxBlock() + "); AEP is slower than the producer";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "; the sending thread was interrupted while waiting for space (its interrupt status is set again)";
    }
  }

  private static AepDeliveryException closedException() {
    return new AepDeliveryException(AepDeliveryException.Reason.CLOSED, "the client is closed", 0, null);
  }

  @Override
  public void flush() {
    refuseOnOwnThread("flush()");
    awaitOrThrow(asOwnThread(accumulator::flush), null);
  }

  @Override
  public boolean flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    refuseOnOwnThread("flush(timeout)");
    return awaitOrThrow(asOwnThread(accumulator::flush), timeout);
  }

  private static boolean awaitOrThrow(List<Batch> batches, Duration timeout) {
    try {
      return awaitSettled(batches, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AepException("interrupted while waiting for messages to settle", e);
    }
  }

  /** Waits for the batches' {@code done}; a null timeout waits without a bound. */
  private static boolean awaitSettled(List<Batch> batches, Duration timeout) throws InterruptedException {
    CompletableFuture<Void> all = CompletableFuture.allOf(batches.stream().map(Batch::done)
        .toArray(CompletableFuture[]::new));
    try {
      if (timeout == null) {
        all.get();
      } else {
        all.get(Math.max(0, saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true; // batch futures complete normally; nothing to report
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? 0 : Long.MAX_VALUE;
    }
  }

  @Override
  public AepClientMetrics metrics() {
    return metrics.snapshot(budget.used(), inFlightLimit.current());
  }

  @Override
  public void close() {
    close(config.deliveryTimeout().plus(config.requestTimeout()));
  }

  @Override
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    refuseOnOwnThread("close()");
    if (!closed.compareAndSet(false, true)) {
      awaitOtherClose(timeout);
      return;
    }
    // An interrupt stops the wait, never the shutdown: the client must not be left half closed.
    boolean interrupted = Thread.interrupted();
    boolean settled = false;
    try {
      List<Batch> batches = asOwnThread(accumulator::close);
      settled = !interrupted && awaitSettled(batches, timeout);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      try {
        if (!settled) {
          String why = "the client was closed before the message was delivered (close timeout " + timeout
              + (interrupted ? ", the closing thread was interrupted" : "") + ")";
          long unsettledBefore = metrics().bufferedMessages();
          asOwnThread(() -> accumulator.abandon(() -> new AepDeliveryException(AepDeliveryException.Reason.CLOSED,
              why, 0, null)));
          log.warn("{}: {}; failed about {} undelivered messages", config.clientName(), interrupted
              ? "close was interrupted" : "close timeout (" + timeout + ") passed", unsettledBefore);
        }
      } finally {
        try {
          interrupted |= shutDown();
        } finally {
          closeFinished.complete(null);
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    log.info("{} closed: {}", config.clientName(), metrics());
  }

  /**
   * Another thread's close is under way: wait, within this call's own timeout, for it to finish, so that no caller
   * of close returns while the client's threads still run (the loser of the race used to return at once).
   */
  private void awaitOtherClose(Duration timeout) {
    try {
      closeFinished.get(Math.max(0, saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the other close still runs and will finish the job; this call's bound is over
    }
  }

  /** Stops requests and threads; true if interrupted while waiting for the threads to end (and then not waited). */
  private boolean shutDown() {
    sender.abort();
    // Also the IMS token fetch: it blocks the auth thread in a socket read, which shutdownNow's interrupt does
    // not end. The dispatcher is this client's own, so only its calls are cancelled.
    http.dispatcher().cancelAll();
    scheduler.shutdownNow();
    authExecutor.shutdownNow();
    ioExecutor.shutdown();
    if (ownsConnectionPool) {
      http.connectionPool().evictAll();
    }
    try {
      if (!ioExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
        ioExecutor.shutdownNow();
      }
      scheduler.awaitTermination(1, TimeUnit.SECONDS);
      authExecutor.awaitTermination(1, TimeUnit.SECONDS);
      return false;
    } catch (InterruptedException e) {
      ioExecutor.shutdownNow();
      return true;
    }
  }

  @Override
  public String toString() {
    return "AepStreamingClient[" + config.clientName() + ", " + config.endpoint() + "]";
  }
}
