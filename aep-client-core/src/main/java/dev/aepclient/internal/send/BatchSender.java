package dev.aepclient.internal.send;

import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepRejectedException;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.ImsAuthException;
import dev.aepclient.internal.auth.TokenCache;
import dev.aepclient.internal.batch.Batch;
import dev.aepclient.internal.batch.Outcomes;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.internal.http.BatchRequestBody;
import dev.aepclient.internal.http.GzipBodies;
import dev.aepclient.internal.http.InletEndpoint;
import dev.aepclient.internal.http.NoAutomaticRetry;
import dev.aepclient.internal.http.SingleMessageBody;
import dev.aepclient.internal.metrics.ClientMetricsRecorder;
import dev.aepclient.internal.util.RemoteText;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one batch: posts it (OkHttp, asynchronous), retries it with Failsafe, refreshes the token once on
 * 401/403, splits it on a whole-request 400/413 to isolate the bad messages, and settles every message of it
 * from the answer. The returned future completes when every message of the batch is settled. Thread-safe.
 *
 * <p>Every wait is bounded by the deadline of the batch's oldest message ({@code send} + delivery timeout): the
 * back-off before a retry, a shared 429 pause, a token fetch, the HTTP call itself (its timeout is cut to the time
 * left). When the next retry could only start after the deadline, the batch fails at once with
 * {@code DELIVERY_TIMEOUT} instead of waiting for nothing. Delays are computed here ({@link Backoff}: equal
 * initial and max back-off are legal) and are never shorter than the client's back-off, whatever
 * {@code Retry-After} says; Failsafe only runs the loop.
 *
 * <p>What is read from an answer is bounded after decompression ({@link #MAX_ANSWER_BYTES} for a 2xx,
 * {@link #MAX_ERROR_BYTES} of an error body), so a compressed bomb cannot exhaust memory; whatever an I/O
 * callback catches, its attempt completes and its in-flight slot is released.
 */
public final class BatchSender {
  private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

  /** The most read of a 2xx answer: a 207 for 10,000 entries with long texts fits several times over. */
  static final long MAX_ANSWER_BYTES = 8L << 20;
  /** The most read of an error body: only its beginning becomes the error's detail. */
  static final long MAX_ERROR_BYTES = 16L << 10;

  /** Everything a sender needs; built once per client. */
  public record Settings(InletEndpoint endpoint, Headers headers, boolean gzip, boolean syncValidation,
      Duration deliveryTimeout, Duration requestTimeout, Duration initialBackoff, Duration maxBackoff,
      Double maxRequestsPerSecond) {}

  private final OkHttpClient http;
  private final Settings settings;
  private final TokenCache tokens;
  private final Outcomes outcomes;
  private final ClientMetricsRecorder metrics;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final Backoff backoff;
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
    this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
    this.throttle = new Throttle(limiter, scheduler, nanoTime, backoff);
    this.interpreter = new ResponseInterpreter(clock);
    this.limit = limit;
  }

  /** Per request: its messages, its body (built and, with gzip, compressed once) and its retry state. */
  private static final class RequestState {
    final List<PendingMessage> messages;
    final Request request;
    final long bodyBytes;
    final long deadlineNanos;
    final int priorAttempts; // attempts of earlier requests for these messages (per-entry retries): back-off grows
    int attempts;
    boolean tokenRefreshed;
    AttemptOutcome last;
    int lastStatus; // the last HTTP status received: an attempt cut by the deadline has none
    long nextDelayNanos;

    RequestState(List<PendingMessage> messages, Request request, long bodyBytes, long deadlineNanos,
        int priorAttempts) {
      this.messages = messages;
      this.request = request;
      this.bodyBytes = bodyBytes;
      this.deadlineNanos = deadlineNanos;
      this.priorAttempts = priorAttempts;
    }
  }

  /** Sends the batch; the future completes (never exceptionally) once all its messages are settled. */
  public CompletableFuture<Void> send(Batch batch) {
    long oldest = Long.MAX_VALUE;
    for (PendingMessage m : batch.messages()) {
      oldest = Math.min(oldest, m.sentNanos());
    }
    return deliver(batch.messages(), oldest + settings.deliveryTimeout().toNanos(), null, 0);
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

  private CompletableFuture<Void> deliver(List<PendingMessage> candidates, long deadlineNanos, Bisection bisection,
      int priorAttempts) {
    List<PendingMessage> messages = new ArrayList<>(candidates.size());
    for (PendingMessage m : candidates) {
      if (!m.isSettled()) {
        messages.add(m);
      }
    }
    if (messages.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (aborted) {
      failAll(messages, AepDeliveryException.Reason.CLOSED, "client closed before the message was sent", 0, null);
      return CompletableFuture.completedFuture(null);
    }
    if (deadlineNanos - nanoTime.getAsLong() <= 0) {
      failAll(messages, AepDeliveryException.Reason.DELIVERY_TIMEOUT, "delivery timeout ("
          + settings.deliveryTimeout() + ") passed before the message could be sent", 0, null);
      return CompletableFuture.completedFuture(null);
    }
    if (bisection != null && !bisection.takeRequest()) {
      failAll(messages, AepDeliveryException.Reason.REQUEST_REFUSED, "AEP refused the request as a whole ("
          + describe(bisection.status, bisection.detail) + ") and splitting it to find the bad messages took more than "
          + Bisection.budgetFor(bisection.all.size()) + " requests; gave up", bisection.status, null);
      return CompletableFuture.completedFuture(null);
    }
    RequestState state = newRequest(messages, deadlineNanos, priorAttempts);
    RetryPolicy<AttemptOutcome> policy = RetryPolicy.<AttemptOutcome>builder()
        .handleResultIf(AttemptOutcome::isRetryable)
        .withMaxRetries(-1)
        // The delay was computed (and checked against the deadline) when the attempt ended; see attempt().
        .withDelayFn(ctx -> Duration.ofNanos(Math.max(0, state.nextDelayNanos)))
        .onRetry(event -> {
          metrics.requestRetried();
          log.debug("retrying a request of {} messages, attempt {}, after {}", messages.size(),
              event.getAttemptCount() + 1, event.getLastResult());
        })
        .build();
    CompletableFuture<Void> concluded = new CompletableFuture<>();
    try {
      var unused = Failsafe.with(policy).with(scheduler)
          .getStageAsync(() -> attempt(state))
          .whenComplete((outcome, error) -> {
            // Whatever settling throws, the chain goes on: the batch's future must complete.
            try {
              var unusedConcluded = conclude(state, outcome, error, bisection)
                  .whenComplete((ignored, e) -> concluded.complete(null));
            } catch (Throwable t) {
              failAll(state.messages, AepDeliveryException.Reason.DELIVERY_TIMEOUT, "the client could not settle"
                  + " the message: " + t, 0, t);
              concluded.complete(null);
            }
          });
    } catch (RejectedExecutionException e) {
      failAll(messages, AepDeliveryException.Reason.CLOSED, "client closed before the message was sent", 0, e);
      concluded.complete(null);
    }
    return concluded;
  }

  private RequestState newRequest(List<PendingMessage> messages, long deadlineNanos, int priorAttempts) {
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
    return new RequestState(messages, request.post(body).build(), bodyBytes, deadlineNanos, priorAttempts);
  }

  private CompletableFuture<AttemptOutcome> attempt(RequestState state) {
    if (aborted) {
      return CompletableFuture.completedFuture(AttemptOutcome.fatal(AepDeliveryException.Reason.CLOSED, 0,
          "client closed", null));
    }
    if (state.deadlineNanos - nanoTime.getAsLong() <= 0) {
      return CompletableFuture.completedFuture(timedOut(state, "the delivery timeout passed"));
    }
    return throttle.awaitTurn(state.deadlineNanos, state.messages.size())
        .thenCompose(onTime -> {
          if (!onTime) {
            return CompletableFuture.completedFuture(timedOut(state, "AEP's pause (429 or Retry-After) or the"
                + " client's rate limit (maxRequestsPerSecond) would hold the request beyond the delivery timeout"));
          }
          return tokenBy(state.deadlineNanos).thenCompose(t -> call(state, t));
        })
        .exceptionally(BatchSender::classifyFailure)
        .thenApply(outcome -> afterAttempt(state, outcome));
  }

  /** Records the attempt and, for a retryable outcome, the delay before the next, or gives up if it is too late. */
  private AttemptOutcome afterAttempt(RequestState state, AttemptOutcome outcome) {
    state.attempts++;
    if (outcome.status > 0) {
      state.lastStatus = outcome.status;
    }
    if (!outcome.isRetryable()) {
      if (state.last == null || outcome.fatalReason != AepDeliveryException.Reason.DELIVERY_TIMEOUT) {
        state.last = outcome;
      }
      return outcome;
    }
    state.last = outcome;
    long delay = retryDelayNanos(outcome, state.priorAttempts + state.attempts - 1);
    if (nanoTime.getAsLong() + delay - state.deadlineNanos >= 0) {
      return timedOut(state, "the next retry could only start after it");
    }
    state.nextDelayNanos = delay;
    return outcome;
  }

  /**
   * The wait before a retry: the back-off step, or the server's {@code Retry-After} when that is longer (a
   * server's hint may lengthen the wait, never shorten it). A refused token is retried at once with a fresh one.
   */
  private long retryDelayNanos(AttemptOutcome outcome, int step) {
    if (outcome.kind == AttemptOutcome.Kind.RETRY_WITH_FRESH_TOKEN) {
      return 0;
    }
    long delay = backoff.delayNanos(step);
    if (outcome.retryAfter != null) {
      delay = Math.max(delay, outcome.retryAfter.toNanos());
    }
    return delay;
  }

  /** The outcome that ends a request at its deadline, carrying what the last attempt came to. */
  private AttemptOutcome timedOut(RequestState state, String why) {
    AttemptOutcome last = state.last;
    String text = "gave up after " + state.attempts + " attempts: " + why + " (deliveryTimeout "
        + settings.deliveryTimeout() + ")" + (last == null ? "" : "; last: " + last.describe());
    return AttemptOutcome.fatal(AepDeliveryException.Reason.DELIVERY_TIMEOUT, state.lastStatus, text,
        last == null ? null : last.cause);
  }

  /** The access token, or a failure when none comes by the deadline (a fetch that never returns must not hang). */
  private CompletableFuture<AccessToken> tokenBy(long deadlineNanos) {
    if (tokens == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<AccessToken> token = tokens.token();
    if (token.isDone()) {
      return token;
    }
    CompletableFuture<AccessToken> bounded = new CompletableFuture<>();
    ScheduledFuture<?> timer;
    try {
      timer = scheduler.schedule(() -> bounded.completeExceptionally(new TokenTimeout()),
          Math.max(0, deadlineNanos - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
    // The shared single-flight future is not touched: other requests may still wait for it.
    var unused = token.whenComplete((t, e) -> {
      timer.cancel(false);
      if (e != null) {
        bounded.completeExceptionally(e);
      } else {
        bounded.complete(t);
      }
    });
    return bounded;
  }

  /** No access token arrived before the delivery timeout. */
  private static final class TokenTimeout extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TokenTimeout() {
      super("no access token within the delivery timeout: the token fetch has not returned", null, false, false);
    }
  }

  private static AttemptOutcome classifyFailure(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof ImsAuthException ims) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.AUTHENTICATION, ims.statusCode(), ims.getMessage(), ims);
    }
    if (cause instanceof TokenTimeout) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.DELIVERY_TIMEOUT, 0, cause.getMessage(), null);
    }
    if (cause instanceof RejectedExecutionException) {
      return AttemptOutcome.fatal(AepDeliveryException.Reason.CLOSED, 0, "client closed", cause);
    }
    return AttemptOutcome.retry(0, cause.toString(), null, cause);
  }

  private CompletableFuture<AttemptOutcome> call(RequestState state, AccessToken token) {
    Request request;
    try {
      request = token == null ? state.request
          : state.request.newBuilder().header("Authorization", "Bearer " + token.value()).build();
    } catch (IllegalArgumentException e) {
      // A token no header can carry (a control character): every attempt would fail here until the deadline.
      return CompletableFuture.completedFuture(AttemptOutcome.fatal(AepDeliveryException.Reason.AUTHENTICATION, 0,
          "the access token has a character an HTTP header cannot carry (a control character or not ASCII); the"
              + " token provider returned it; the token is not shown", null));
    }
    Call call = http.newCall(request);
    // The attempt may not outlast the deadline: its timeout is the request timeout or the time left.
    long left = state.deadlineNanos - nanoTime.getAsLong();
    call.timeout().timeout(Math.max(1, Math.min(settings.requestTimeout().toNanos(), left)), TimeUnit.NANOSECONDS);
    CompletableFuture<AttemptOutcome> result = new CompletableFuture<>();
    activeCalls.add(call);
    int inFlightAtStart = activeCalls.size();
    long startNanos = nanoTime.getAsLong();
    metrics.requestStarted(state.bodyBytes);
    // Each callback marks the call finished before completing the attempt: completing runs the next steps
    // (settling, the next batch's request) on this thread, and they must see this request as done. Whatever
    // a callback catches (an Error included), the attempt completes and the slot is released.
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        AttemptOutcome outcome;
        try {
          outcome = untrustedCertificate(e)
              ? AttemptOutcome.fatal(AepDeliveryException.Reason.REQUEST_REFUSED, 0, "TLS handshake with "
                  + request.url().host() + " failed: its certificate is not trusted (" + RemoteText.sanitize(
                  e.getMessage()) + "); for a private CA or a test server, pass an OkHttpClient that trusts it"
                  + " with httpClient(...)", e)
              : AttemptOutcome.retry(0, RemoteText.sanitize(e.toString()), null, e);
        } catch (Throwable t) {
          outcome = AttemptOutcome.retry(0, t.getClass().getName(), null, t);
        }
        finish(c, startNanos);
        result.complete(outcome);
      }

      @Override
      public void onResponse(Call c, Response response) {
        AttemptOutcome outcome;
        try (response) {
          int status = response.code();
          sampleConcurrency(status, startNanos, inFlightAtStart);
          try {
            byte[] body = readBounded(response.body(), status >= 200 && status < 300);
            outcome = interpret(state, token, status, body, NoAutomaticRetry.retryAfter(response),
                response.header("Location"));
          } catch (AnswerTooLarge e) {
            outcome = AttemptOutcome.retry(status, "protocol error: " + e.getMessage(), null, null);
          } catch (Throwable e) { // IOException, a parser's RuntimeException, OutOfMemoryError, StackOverflowError
            outcome = AttemptOutcome.retry(status, "could not read the answer: " + RemoteText.sanitize(
                e.toString()), null, e instanceof Exception ? e : null);
          }
        } catch (Throwable closing) {
          outcome = AttemptOutcome.retry(0, "could not read the answer: " + closing.getClass().getName(), null, null);
        }
        finish(c, startNanos);
        result.complete(outcome);
      }
    });
    return result;
  }

  /** A 2xx answer bigger than {@link #MAX_ANSWER_BYTES} once decompressed. */
  private static final class AnswerTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    AnswerTooLarge(long limit) {
      super("the answer is larger than " + limit + " bytes (after decompression); not read");
    }
  }

  /**
   * Reads at most {@link #MAX_ANSWER_BYTES} of a 2xx answer (more is an error) and the first
   * {@link #MAX_ERROR_BYTES} of any other; never more, whatever the body inflates to.
   */
  static byte[] readBounded(ResponseBody body, boolean success) throws IOException {
    if (body == null) {
      return new byte[0];
    }
    BufferedSource source = body.source();
    long limit = success ? MAX_ANSWER_BYTES : MAX_ERROR_BYTES;
    if (source.request(limit + 1)) {
      if (success) {
        throw new AnswerTooLarge(limit);
      }
      return source.getBuffer().readByteArray(limit);
    }
    return source.getBuffer().readByteArray();
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

  private void finish(Call call, long startNanos) {
    activeCalls.remove(call);
    metrics.requestFinished(nanoTime.getAsLong() - startNanos);
  }

  private AttemptOutcome interpret(RequestState state, AccessToken token, int status, byte[] body,
      String retryAfter, String location) {
    if (status == 401 || status == 403) {
      return authRefused(state, token, status);
    }
    state.tokenRefreshed = false; // "twice in a row" means with nothing else in between
    AttemptOutcome outcome = interpreter.interpret(status, body, retryAfter, location, state.messages.size(),
        settings.syncValidation());
    if (status == 429 || outcome.retryAfter != null) {
      // Retry-After (or a 429 without one) speaks for the service, not this request: every request waits.
      if (status == 429) {
        metrics.requestThrottled();
      }
      Duration pause = throttle.throttled(outcome.retryAfter);
      log.debug("AEP answered {}; pausing all requests for {}", status, pause);
    } else if (outcome.kind == AttemptOutcome.Kind.ANSWERED) {
      throttle.succeeded(state.messages.size());
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
      Bisection bisection) {
    List<PendingMessage> messages = state.messages;
    long deadlineNanos = state.deadlineNanos;
    if (error != null || outcome == null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      failAll(messages, aborted ? AepDeliveryException.Reason.CLOSED : AepDeliveryException.Reason.DELIVERY_TIMEOUT,
          "delivery stopped: " + cause, state.last == null ? 0 : state.last.status, cause);
      return CompletableFuture.completedFuture(null);
    }
    switch (outcome.kind) {
      case ANSWERED -> {
        return answered(state, outcome, bisection);
      }
      case BAD_REQUEST -> {
        return badRequest(state, outcome, bisection);
      }
      case TOO_LARGE -> {
        if (messages.size() == 1) {
          outcomes.rejected(messages.get(0), new AepRejectedException(outcome.status, outcome.detail));
          return CompletableFuture.completedFuture(null);
        }
        log.debug("AEP answered 413 to a request of {} messages; splitting it", messages.size());
        return split(messages, deadlineNanos, bisection);
      }
      case FATAL -> failAll(messages, aborted ? AepDeliveryException.Reason.CLOSED : outcome.fatalReason,
          outcome.describe(), outcome.status, outcome.cause);
      case RETRY, RETRY_WITH_FRESH_TOKEN -> failAll(messages,
          aborted ? AepDeliveryException.Reason.CLOSED : AepDeliveryException.Reason.DELIVERY_TIMEOUT,
          timedOut(state, "retries ended").detail, outcome.status, outcome.cause);
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Each halve is its own request; halves go one after the other within this batch's slot. */
  private CompletableFuture<Void> split(List<PendingMessage> messages, long deadlineNanos, Bisection bisection) {
    int middle = messages.size() / 2;
    List<PendingMessage> left = messages.subList(0, middle);
    List<PendingMessage> right = messages.subList(middle, messages.size());
    return deliver(left, deadlineNanos, bisection, 0)
        .thenCompose(ignored -> deliver(right, deadlineNanos, bisection, 0));
  }

  /** A 200/207: settles each message from its entry; entries with a transient status are sent again. */
  private CompletableFuture<Void> answered(RequestState state, AttemptOutcome outcome, Bisection bisection) {
    List<PendingMessage> messages = state.messages;
    if (bisection != null && !bisection.anyAccepted) {
      // Part of the batch went through: the refusal was about messages, not the request.
      bisection.anyAccepted = true;
      for (PendingMessage suspect : bisection.suspects) {
        outcomes.rejected(suspect, new AepRejectedException(bisection.status, bisection.detail));
      }
    }
    List<PendingMessage> again = null;
    AttemptOutcome.RetryableEntry lastTransient = null;
    boolean throttled = false;
    outcomes.settleAnswer(messages, outcome.entries); // deliveries and rejections; retryable entries stay
    for (int i = 0; i < messages.size(); i++) {
      if (outcome.entries.get(i) instanceof AttemptOutcome.RetryableEntry transientEntry) {
        if (again == null) {
          again = new ArrayList<>();
        }
        again.add(messages.get(i));
        lastTransient = transientEntry;
        throttled |= transientEntry.status() == 429;
      }
    }
    if (again == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (throttled) {
      metrics.requestThrottled();
      throttle.throttled(null);
    }
    int step = state.priorAttempts + state.attempts;
    long delay = backoff.delayNanos(step - 1);
    String last = "HTTP " + lastTransient.status() + " for the message in AEP's 207 answer"
        + (lastTransient.reason().isEmpty() ? "" : " (" + lastTransient.reason() + ")");
    if (aborted || nanoTime.getAsLong() + delay - state.deadlineNanos >= 0) {
      failAll(again, aborted ? AepDeliveryException.Reason.CLOSED : AepDeliveryException.Reason.DELIVERY_TIMEOUT,
          "gave up after " + step + " attempts: the next retry could only start after the delivery timeout ("
              + settings.deliveryTimeout() + "); last: " + last, lastTransient.status(), null);
      return CompletableFuture.completedFuture(null);
    }
    log.debug("AEP answered a transient status for {} of {} messages ({}); sending those again in {} ms",
        again.size(), messages.size(), last, TimeUnit.NANOSECONDS.toMillis(delay));
    metrics.requestRetried();
    List<PendingMessage> retry = again;
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      var unused = scheduler.schedule(() -> {
        var unusedDelivered = deliver(retry, state.deadlineNanos, bisection, step)
            .whenComplete((ignored, e) -> done.complete(null));
      }, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      failAll(again, AepDeliveryException.Reason.CLOSED, "client closed before the message was sent again", 0, e);
      done.complete(null);
    }
    return done;
  }

  /** A whole-request 400: split to isolate bad messages, unless the request itself is what AEP refuses. */
  private CompletableFuture<Void> badRequest(RequestState state, AttemptOutcome outcome, Bisection bisection) {
    List<PendingMessage> messages = state.messages;
    if (bisection == null) {
      if (messages.size() == 1) {
        outcomes.rejected(messages.get(0), new AepRejectedException(outcome.status, outcome.detail));
        return CompletableFuture.completedFuture(null);
      }
      Bisection started = new Bisection(messages, outcome.status, outcome.detail);
      log.debug("AEP answered {} to a request of {} messages; splitting it to find the bad ones", outcome.status,
          messages.size());
      return split(messages, state.deadlineNanos, started).thenRun(() -> {
        // The split is over: suspects never cleared by an acceptance nor proven request-level are bad messages.
        for (PendingMessage suspect : started.suspects) {
          outcomes.rejected(suspect, new AepRejectedException(started.status, started.detail));
        }
      });
    }
    if (messages.size() > 1) {
      return split(messages, state.deadlineNanos, bisection);
    }
    PendingMessage single = messages.get(0);
    if (bisection.anyAccepted || !bisection.sameRefusal(outcome)) {
      outcomes.rejected(single, new AepRejectedException(outcome.status, outcome.detail));
      return CompletableFuture.completedFuture(null);
    }
    bisection.suspects.add(single);
    if (bisection.suspectsProveRequestLevel()) {
      refuseRequest(bisection);
      return CompletableFuture.completedFuture(null);
    }
    if (bisection.suspects.size() == 2 && !bisection.probedLast) {
      PendingMessage probe = bisection.probeCandidate();
      bisection.probedLast = true;
      if (probe != null) {
        // Probe from the other end of the batch: if it is refused the same way too, the request is the cause.
        return deliver(List.of(probe), state.deadlineNanos, bisection, 0);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Fails every unsettled message of the split batch: AEP refuses the request, not these messages. */
  private void refuseRequest(Bisection bisection) {
    List<PendingMessage> unsettled = new ArrayList<>();
    for (PendingMessage m : bisection.all) {
      if (!m.isSettled()) {
        unsettled.add(m);
      }
    }
    bisection.suspects.clear();
    failAll(unsettled, AepDeliveryException.Reason.REQUEST_REFUSED, "AEP refused the request as a whole ("
        + describe(bisection.status, bisection.detail) + "), whatever messages it carried: single messages from"
        + " both ends of the batch were refused the same way; check the request settings (headers, sandbox,"
        + " flow id, gzip) rather than the messages", bisection.status, null);
  }

  private static String describe(int status, String detail) {
    return "HTTP " + status + (detail == null || detail.isEmpty() ? "" : " " + detail);
  }

  private void failAll(List<PendingMessage> messages, AepDeliveryException.Reason reason, String text, int status,
      Throwable cause) {
    if (messages.isEmpty()) {
      return;
    }
    if (reason != AepDeliveryException.Reason.CLOSED) {
      log.warn("failing {} messages: {} ({})", messages.size(), text, reason);
    }
    for (PendingMessage m : messages) {
      outcomes.failed(m, new AepDeliveryException(reason, text, status, cause));
    }
  }
}
