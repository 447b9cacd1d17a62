package dev.aepclient.internal.send;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepRejectedException;
import dev.aepclient.Delivery;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.ImsAuthException;
import dev.aepclient.internal.auth.TokenCache;
import dev.aepclient.internal.batch.Batch;
import dev.aepclient.internal.batch.Outcomes;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.internal.http.BatchRequestBody;
import dev.aepclient.internal.http.GzipBodies;
import dev.aepclient.internal.http.InletEndpoint;
import dev.aepclient.internal.http.SingleMessageBody;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import dev.failsafe.Failsafe;
import dev.failsafe.RateLimiter;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one batch: posts it (OkHttp, asynchronous), retries it with Failsafe (exponential back-off with
 * jitter, {@code Retry-After}, bounded by the delivery timeout of its oldest message), refreshes the token once
 * on 401/403, splits it on a whole-request 400/413 to isolate the bad messages, and settles every message of it
 * from the answer. The returned future completes when every message of the batch is settled. Thread-safe.
 */
public final class BatchSender {
  private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

  /** Everything a sender needs; built once per client. */
  public record Settings(InletEndpoint endpoint, Headers headers, boolean gzip, boolean syncValidation,
      Duration deliveryTimeout, Duration initialBackoff, Duration maxBackoff, Double maxRequestsPerSecond) {}

  private final OkHttpClient http;
  private final Settings settings;
  private final TokenCache tokens;
  private final Outcomes outcomes;
  private final ClientMetricsRecorder metrics;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final Throttle throttle;
  private final ResponseInterpreter interpreter;
  private final ConcurrencyLimit limit;
  private final Set<Call> activeCalls = ConcurrentHashMap.newKeySet();
  private volatile boolean aborted;

  public BatchSender(OkHttpClient http, Settings settings, TokenCache tokens, Outcomes outcomes,
      ClientMetricsRecorder metrics, ScheduledExecutorService scheduler, Clock clock, LongSupplier nanoTime,
      ConcurrencyLimit limit) {
    this.http = http;
    this.settings = settings;
    this.tokens = tokens;
    this.outcomes = outcomes;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
    RateLimiter<Object> limiter = settings.maxRequestsPerSecond() == null ? null
        : RateLimiter.smoothBuilder(Duration.ofNanos((long) (1_000_000_000L / settings.maxRequestsPerSecond())))
            .build();
    this.throttle = new Throttle(limiter, scheduler, nanoTime, settings.initialBackoff(), settings.maxBackoff());
    this.interpreter = new ResponseInterpreter(clock);
    this.limit = limit;
  }

  /** Per request: its messages, its body (built and, with gzip, compressed once) and its auth retry state. */
  private static final class RequestState {
    final List<PendingMessage> messages;
    final Request request;
    final long bodyBytes;
    int attempts;
    boolean tokenRefreshed;
    AttemptOutcome last;

    RequestState(List<PendingMessage> messages, Request request, long bodyBytes) {
      this.messages = messages;
      this.request = request;
      this.bodyBytes = bodyBytes;
    }
  }

  /** Sends the batch; the future completes (never exceptionally) once all its messages are settled. */
  public CompletableFuture<Void> send(Batch batch) {
    long oldest = Long.MAX_VALUE;
    for (PendingMessage m : batch.messages()) {
      oldest = Math.min(oldest, m.sentNanos());
    }
    return deliver(batch.messages(), oldest + settings.deliveryTimeout().toNanos());
  }

  /**
   * Stops all retries, cancels requests in flight. Used by close() after it has failed the messages: late
   * answers then find their messages settled and change nothing.
   */
  public void abort() {
    aborted = true;
    for (Call call : activeCalls) {
      call.cancel();
    }
  }

  private CompletableFuture<Void> deliver(List<PendingMessage> candidates, long deadlineNanos) {
    List<PendingMessage> messages = new ArrayList<>(candidates.size());
    for (PendingMessage m : candidates) {
      if (!m.isSettled()) {
        messages.add(m);
      }
    }
    if (messages.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    long remaining = deadlineNanos - nanoTime.getAsLong();
    if (aborted || remaining <= 0) {
      failAll(messages, aborted ? AepDeliveryException.Reason.CLOSED : AepDeliveryException.Reason.DELIVERY_TIMEOUT,
          aborted ? "client closed before the message was sent"
              : "delivery timeout (" + settings.deliveryTimeout() + ") passed before the message could be sent",
          0, null);
      return CompletableFuture.completedFuture(null);
    }
    RequestState state = newRequest(messages);
    RetryPolicy<AttemptOutcome> policy = RetryPolicy.<AttemptOutcome>builder()
        .handleResultIf(AttemptOutcome::isRetryable)
        .withMaxRetries(-1)
        .withMaxDuration(Duration.ofNanos(remaining))
        .withBackoff(settings.initialBackoff(), settings.maxBackoff())
        .withJitter(0.25)
        .withDelayFn(ctx -> {
          AttemptOutcome last = ctx.getLastResult();
          return last != null && last.retryAfter != null ? last.retryAfter : Duration.ofNanos(-1);
        })
        .onRetry(event -> {
          metrics.requestRetried();
          log.debug("retrying a request of {} messages, attempt {}, after {}", messages.size(),
              event.getAttemptCount() + 1, event.getLastResult());
        })
        .build();
    return Failsafe.with(policy).with(scheduler)
        .getStageAsync(() -> attempt(state))
        .handle((outcome, error) -> conclude(state, outcome, error, deadlineNanos))
        .thenCompose(next -> next);
  }

  private RequestState newRequest(List<PendingMessage> messages) {
    RequestBody body;
    Request.Builder request = new Request.Builder().headers(settings.headers());
    if (settings.syncValidation()) {
      body = new SingleMessageBody(messages.get(0).message());
      request.url(settings.endpoint().syncValidationUrl());
    } else {
      body = new BatchRequestBody(messages);
      request.url(settings.endpoint().batchUrl());
    }
    long bodyBytes;
    try {
      bodyBytes = body.contentLength();
    } catch (IOException e) {
      bodyBytes = -1;
    }
    if (settings.gzip()) {
      body = GzipBodies.gzip(body);
      request.header("Content-Encoding", "gzip");
    }
    return new RequestState(messages, request.post(body).build(), bodyBytes);
  }

  private CompletableFuture<AttemptOutcome> attempt(RequestState state) {
    if (aborted) {
      return CompletableFuture.completedFuture(AttemptOutcome.fatal(AepDeliveryException.Reason.CLOSED, 0,
          "client closed", null));
    }
    CompletableFuture<AccessToken> token = throttle.awaitTurn()
        .thenCompose(ignored -> tokens == null ? CompletableFuture.completedFuture(null) : tokens.token());
    return token.thenCompose(t -> call(state, t))
        .exceptionally(BatchSender::classifyFailure)
        .thenApply(outcome -> {
          state.attempts++;
          state.last = outcome;
          return outcome;
        });
  }

  private static AttemptOutcome classifyFailure(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof ImsAuthException ims) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.AUTHENTICATION, ims.statusCode(), ims.getMessage(), ims);
    }
    return AttemptOutcome.retry(0, cause.toString(), null, cause);
  }

  private CompletableFuture<AttemptOutcome> call(RequestState state, AccessToken token) {
    Request request = token == null ? state.request
        : state.request.newBuilder().header("Authorization", "Bearer " + token.value()).build();
    Call call = http.newCall(request);
    CompletableFuture<AttemptOutcome> result = new CompletableFuture<>();
    activeCalls.add(call);
    int inFlightAtStart = activeCalls.size();
    long startNanos = nanoTime.getAsLong();
    metrics.requestStarted(state.bodyBytes);
    // Each callback marks the call finished before completing the attempt: completing runs the next steps
    // (settling, the next batch's request) on this thread, and they must see this request as done.
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        finish(c);
        result.complete(untrustedCertificate(e)
            ? AttemptOutcome.fatal(AepDeliveryException.Reason.REQUEST_REFUSED, 0, "TLS handshake with "
                + request.url().host() + " failed: its certificate is not trusted (" + e.getMessage() + "); for a"
                + " private CA or a test server, pass an OkHttpClient that trusts it with httpClient(...)", e)
            : AttemptOutcome.retry(0, e.toString(), null, e));
      }

      @Override
      public void onResponse(Call c, Response response) {
        AttemptOutcome outcome;
        try (response) {
          sampleConcurrency(response.code(), startNanos, inFlightAtStart);
          byte[] body = response.body().bytes();
          outcome = interpret(state, token, response.code(), body, response.header("Retry-After"));
        } catch (IOException | RuntimeException e) {
          outcome = AttemptOutcome.retry(response.code(), "could not read the answer: " + e, null, e);
        }
        finish(c);
        result.complete(outcome);
      }
    });
    return result;
  }

  /** Tells the concurrency limit how this request went: AEP's pushback (429, 503) or a round trip. */
  private void sampleConcurrency(int status, long startNanos, int inFlightAtStart) {
    long now = nanoTime.getAsLong();
    if (status == 429 || status == 503) {
      limit.onThrottled(now);
    } else {
      limit.onAnswer(now, now - startNanos, inFlightAtStart);
    }
  }

  /** A certificate the JVM does not trust: retrying cannot help, so it fails at once with a clear message. */
  private static boolean untrustedCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException || t instanceof SSLPeerUnverifiedException) {
        return true;
      }
    }
    return false;
  }

  private void finish(Call call) {
    activeCalls.remove(call);
    metrics.requestFinished();
  }

  private AttemptOutcome interpret(RequestState state, AccessToken token, int status, byte[] body,
      String retryAfter) {
    if (status == 401 || status == 403) {
      return authRefused(state, token, status);
    }
    state.tokenRefreshed = false; // "twice in a row" means with nothing else in between
    AttemptOutcome outcome = interpreter.interpret(status, body, retryAfter, state.messages.size(),
        settings.syncValidation());
    if (status == 429 || outcome.retryAfter != null) {
      // Retry-After (or a 429 without one) speaks for the service, not this request: every request waits.
      if (status == 429) {
        metrics.requestThrottled();
      }
      Duration pause = throttle.throttled(outcome.retryAfter);
      log.debug("AEP answered {}; pausing all requests for {}", status, pause);
    } else if (outcome.kind == AttemptOutcome.Kind.ANSWERED) {
      throttle.succeeded();
    }
    return outcome;
  }

  private AttemptOutcome authRefused(RequestState state, AccessToken token, int status) {
    if (tokens == null) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.AUTHENTICATION, status,
          "the inlet requires authentication; configure credentials (AepAuth, aep.auth.*)", null);
    }
    if (!tokens.canRefresh()) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.AUTHENTICATION, status,
          "AEP refused the configured access token and it cannot be refreshed; supply a valid token or use"
              + " OAuth credentials (AepAuth.oauth)", null);
    }
    tokens.invalidate(token);
    if (state.tokenRefreshed) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.AUTHENTICATION, status,
          "AEP refused a freshly fetched access token too; check that the credential has access to this"
              + " inlet's org and sandbox (aep.org.id, aep.sandbox)", null);
    }
    state.tokenRefreshed = true;
    log.debug("AEP answered {}; retrying once with a fresh token", status);
    return AttemptOutcome.retryWithFreshToken(status);
  }

  private CompletableFuture<Void> conclude(RequestState state, AttemptOutcome outcome, Throwable error,
      long deadlineNanos) {
    List<PendingMessage> messages = state.messages;
    if (error != null || outcome == null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      failAll(messages, aborted ? AepDeliveryException.Reason.CLOSED : AepDeliveryException.Reason.DELIVERY_TIMEOUT,
          "delivery stopped: " + cause, state.last == null ? 0 : state.last.status, cause);
      return CompletableFuture.completedFuture(null);
    }
    switch (outcome.kind) {
      case ANSWERED -> {
        for (int i = 0; i < messages.size(); i++) {
          Object entry = outcome.entries.get(i);
          if (entry instanceof Delivery delivery) {
            outcomes.delivered(messages.get(i), delivery);
          } else {
            outcomes.rejected(messages.get(i), (AepRejectedException) entry);
          }
        }
      }
      case BAD_REQUEST, TOO_LARGE -> {
        if (messages.size() == 1) {
          outcomes.rejected(messages.get(0), new AepRejectedException(outcome.status, outcome.detail));
          return CompletableFuture.completedFuture(null);
        }
        // Bisect: each half is its own request; halves go one after the other within this batch's slot.
        int middle = messages.size() / 2;
        List<PendingMessage> left = messages.subList(0, middle);
        List<PendingMessage> right = messages.subList(middle, messages.size());
        log.debug("AEP answered {} to a request of {} messages; splitting it to isolate the bad ones",
            outcome.status, messages.size());
        return deliver(left, deadlineNanos).thenCompose(ignored -> deliver(right, deadlineNanos));
      }
      case FATAL -> failAll(messages, outcome.fatalReason, outcome.describe(), outcome.status, outcome.cause);
      case RETRY, RETRY_WITH_FRESH_TOKEN -> {
        String text = "gave up after " + state.attempts + " attempts within the delivery timeout ("
            + settings.deliveryTimeout() + "); last: " + outcome.describe();
        failAll(messages, aborted ? AepDeliveryException.Reason.CLOSED : AepDeliveryException.Reason.DELIVERY_TIMEOUT,
            text, outcome.status, outcome.cause);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  private void failAll(List<PendingMessage> messages, AepDeliveryException.Reason reason, String text, int status,
      Throwable cause) {
    if (reason != AepDeliveryException.Reason.CLOSED) {
      log.warn("failing {} messages: {} ({})", messages.size(), text, reason);
    }
    for (PendingMessage m : messages) {
      outcomes.failed(m, new AepDeliveryException(reason, text, status, cause));
    }
  }
}
