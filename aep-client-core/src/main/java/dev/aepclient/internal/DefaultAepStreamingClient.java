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
import dev.aepclient.internal.http.NoDelaySocketFactory;
import dev.aepclient.internal.http.ProxyAuthenticator;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import dev.aepclient.internal.send.BatchSender;
import dev.aepclient.internal.util.NamedThreadFactory;
import java.net.InetSocketAddress;
import javax.net.SocketFactory;
import java.net.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AepStreamingClient}: wires budget, accumulator, sender, token cache and metrics together, owns the
 * threads ({@code aep-client-{name}-scheduler}, {@code -auth}, {@code -io-N}) and runs the close sequence.
 */
public final class DefaultAepStreamingClient implements AepStreamingClient {
  private static final Logger log = LoggerFactory.getLogger(DefaultAepStreamingClient.class);

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
  private final int maxMessageBytes;
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultAepStreamingClient(ClientConfig config) {
    this.config = config;
    String name = config.clientName();
    this.scheduler = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory(name + "-scheduler"));
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.authExecutor = Executors.newSingleThreadExecutor(new NamedThreadFactory(name + "-auth"));
    this.ioExecutor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
        new NamedThreadFactory(name + "-io"));
    this.ownsConnectionPool = config.httpClient() == null;
    this.http = buildHttpClient(config, ioExecutor);
    this.budget = new BufferBudget((int) config.maxBufferedBytes());
    this.outcomes = new Outcomes(budget, metrics, config.deliveryListener(), System::nanoTime);
    AccessTokenProvider provider = tokenProvider(config, http, clock);
    TokenCache tokens = provider == null ? null : new TokenCache(provider, authExecutor, clock);
    this.sender = new BatchSender(http, new BatchSender.Settings(config.endpoint(), staticHeaders(config),
        config.gzip(), config.syncValidation(), config.deliveryTimeout(), config.initialBackoff(),
        config.maxBackoff(), config.maxRequestsPerSecond()), tokens, outcomes, metrics, scheduler, clock,
        System::nanoTime);
    this.accumulator = new Accumulator(config.maxBatchRecords(), config.maxBatchBytes(), config.linger().toNanos(),
        config.maxInFlightRequests(), scheduler, sender::send, outcomes, System::nanoTime, metrics::batchClosed);
    this.maxMessageBytes = config.syncValidation() ? config.maxRequestBytes()
        : config.maxRequestBytes() - Batch.FRAME_BYTES;
    log.info("{} started: {}", name, config);
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
        .retryOnConnectionFailure(true)
        .followRedirects(false) // a redirect would carry the IMS form or a batch and its headers to another host
        .followSslRedirects(false);
    if (config.proxyHost() != null) {
      builder.proxy(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(config.proxyHost(),
          config.proxyPort())));
      if (config.proxyUser() != null) {
        builder.proxyAuthenticator(new ProxyAuthenticator(config.proxyUser(), config.proxyPassword()));
      }
    }
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
    if (!acquire(cost)) {
      outcomes.refusedAtSend(new PendingMessage(message, future, System.nanoTime(), cost),
          new AepBufferFullException("buffer full: " + budget.used() + " of " + config.maxBufferedBytes()
              + " bytes (maxBufferedBytes, aep.buffer.max.bytes) held by unsettled messages"
              + (config.bufferFullPolicy() == BufferFullPolicy.BLOCK ? " for longer than maxBlock ("
                  + config.maxBlock() + ")" : "") + "; AEP is slower than the producer"));
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

  /** The message's budget cost; refuses a message that cannot fit in one request. */
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
    return BufferBudget.cost(size);
  }

  /** Queues a message whose budget is taken. */
  private CompletableFuture<Delivery> enqueue(AepMessage message, CompletableFuture<Delivery> future, int cost) {
    PendingMessage pending = new PendingMessage(message, future, System.nanoTime(), cost);
    metrics.messageSent();
    if (!accumulator.append(pending)) {
      outcomes.failed(pending, closedException());
    }
    return future;
  }

  private boolean acquire(int cost) {
    if (budget.tryAcquire(cost)) {
      return true;
    }
    if (config.bufferFullPolicy() == BufferFullPolicy.FAIL) {
      return false;
    }
    try {
      return budget.tryAcquire(cost, config.maxBlock().toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static AepDeliveryException closedException() {
    return new AepDeliveryException(AepDeliveryException.Reason.CLOSED, "the client is closed", 0, null);
  }

  @Override
  public void flush() {
    awaitSettled(accumulator.flush(), null);
  }

  @Override
  public boolean flush(Duration timeout) {
    return awaitSettled(accumulator.flush(), timeout);
  }

  private static boolean awaitSettled(List<Batch> batches, Duration timeout) {
    CompletableFuture<Void> all = CompletableFuture.allOf(batches.stream().map(Batch::done)
        .toArray(CompletableFuture[]::new));
    try {
      if (timeout == null) {
        all.get();
      } else {
        all.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AepException("interrupted while waiting for messages to settle", e);
    } catch (ExecutionException e) {
      return true; // batch futures complete normally; nothing to report
    }
  }

  @Override
  public AepClientMetrics metrics() {
    return metrics.snapshot(budget.used());
  }

  @Override
  public void close() {
    close(config.deliveryTimeout().plus(config.requestTimeout()));
  }

  @Override
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean settled = awaitSettled(accumulator.close(), timeout);
    if (!settled) {
      int failed = 0;
      for (Batch batch : accumulator.abandon()) {
        for (PendingMessage m : batch.messages()) {
          if (!m.isSettled()) {
            failed++;
            outcomes.failed(m, new AepDeliveryException(AepDeliveryException.Reason.CLOSED,
                "the client was closed before the message was delivered (close timeout " + timeout + ")", 0, null));
          }
        }
      }
      log.warn("{}: close timeout ({}) passed; failed {} undelivered messages", config.clientName(), timeout, failed);
    }
    sender.abort();
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("{} closed: {}", config.clientName(), metrics());
  }

  @Override
  public String toString() {
    return "AepStreamingClient[" + config.clientName() + ", " + config.endpoint() + "]";
  }
}
