package dev.aepclient.reliability.adversarial;

import dev.aepclient.AepAuth;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.Delivery;
import dev.aepclient.DeliveryListener;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one generated trial against a fresh {@link AepSimulator} and returns every broken invariant (empty: all
 * held). The invariants are issue 9's: every future completed exactly once (and the listener told exactly once); none
 * later than its deadline plus {@link #SLACK_MS}; {@code flush}/{@code close} returned within their bounds; the
 * request rate within what the back-off (and the client's own rate limit) allows; no message the simulator
 * acknowledged reported failed except {@code CLOSED}, every delivered message accepted by the simulator, and no
 * retryable per-entry status reported as a permanent rejection; after {@code close} no client thread alive and the
 * byte budget at zero; no secret in the captured log.
 */
final class Trial {
  /** Scheduling slack on a busy 2-core machine, on top of every documented bound. */
  static final long SLACK_MS = 750;
  static final String SECRET = "adv-Secr3t-7c1e9a";
  private static final String CLIENT_ID = "adv-client";
  private static final Pattern SIM_TOKEN = Pattern.compile("sim-[A-Za-z0-9_-]{32}");
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
  private static final AtomicInteger TRIALS = new AtomicInteger();

  /** What became of one message handed to send/trySend. */
  private static final class Sent {
    final String id;
    final boolean bad;
    volatile long returnedNanos;
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger listenerCalls = new AtomicInteger();
    volatile long completedNanos;
    volatile Throwable error;
    volatile boolean delivered;
    volatile CompletableFuture<Delivery> future;

    Sent(String id, boolean bad) {
      this.id = id;
      this.bad = bad;
    }
  }

  private final TrialSpec spec;
  private final String name = "adv" + TRIALS.incrementAndGet();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Sent> sent = new ConcurrentHashMap<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicInteger callbacksRunning = new AtomicInteger();
  private final AtomicReference<AepStreamingClient> clientRef = new AtomicReference<>();
  private final Map<Integer, String> currentStep = new ConcurrentHashMap<>();
  private String log = "";
  private String summary = "";

  Trial(TrialSpec spec) {
    this.spec = spec;
  }

  String name() {
    return name;
  }

  String log() {
    return log;
  }

  /** Outcomes and requests, for the trial's report line. */
  String summary() {
    return summary;
  }

  /** Runs the trial; the broken invariants, each as one line. */
  List<String> run() throws Exception {
    TrialSpec.ClientSettings c = spec.client();
    TrialSpec.ServerBehaviour s = spec.server();
    AepSimulator.Builder simulator = AepSimulator.builder().idPointer("/id").threads(8).seed(s.seed())
        .latency(Duration.ofMillis(s.latencyMs()), Duration.ofMillis(s.jitterMs()));
    if (c.oauth()) {
      simulator.authenticatedInlet(AepSimulator.DEFAULT_INLET).oauthCredential(CLIENT_ID, SECRET)
          .tokenLifetime(s.shortTokens() ? Duration.ofSeconds(2) : Duration.ofHours(1));
    }
    if (s.rateLimited()) {
      simulator.rateLimit(20, 100);
    }
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    long trialStart = System.nanoTime();
    try (AepSimulator aep = simulator.start()) {
      aep.rejectWhen(m -> m.path("bad").asBoolean(false), 400, "field bad is not allowed by the schema");
      if (!s.faults().isEmpty() && s.faultPercent() > 0) {
        Map<Fault, Double> mix = new LinkedHashMap<>();
        double each = s.faultPercent() / 100.0 / s.faults().size();
        for (ServerFault f : s.faults()) {
          mix.merge(f.fault(c.requestTimeout()), each, Double::sum);
        }
        aep.randomFaults(s.seed(), mix);
      }
      if (c.oauth()) {
        aep.enqueueImsFaults(s.imsFault().faults());
      }
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      AepStreamingClient client;
      try {
        client = builder(aep).build();
      } catch (IllegalArgumentException e) {
        violations.add("the builder refused settings within the documented ranges: " + e.getMessage());
        return violations;
      }
      clientRef.set(client);
      drive(client);
      AepClientMetrics metrics = client.metrics();
      summary = "sent " + metrics.messagesSent() + ", delivered " + metrics.messagesDelivered() + ", rejected "
          + metrics.messagesRejected() + ", failed " + metrics.messagesFailed() + ", requests "
          + aep.requestsByStatus();
      checkEverySettled();
      checkOutcomes(aep);
      checkRequestRate(aep, metrics);
      checkReleased(metrics);
    } finally {
      System.setErr(originalErr);
      log = captured.toString(StandardCharsets.UTF_8);
    }
    checkNoSecret(log);
    if (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - trialStart) > 30) {
      violations.add("(not an invariant) the trial took over 30 s");
    }
    return violations;
  }

  private AepStreamingClientBuilder builder(AepSimulator aep) {
    TrialSpec.ClientSettings c = spec.client();
    AepStreamingClientBuilder b = AepStreamingClient.builder().inletUrl(aep.inletUrl()).clientName(name)
        .maxInFlightRequests(c.maxInFlight()).linger(Duration.ofMillis(c.lingerMs()))
        .retryBackoff(Duration.ofMillis(c.initialBackoffMs()), Duration.ofMillis(c.maxBackoffMs()))
        .requestTimeout(c.requestTimeout()).deliveryTimeout(c.deliveryTimeout())
        .maxRequestBytes(c.maxRequestBytes()).maxBatchBytes(Math.min(c.maxRequestBytes(), 1_000_000))
        .maxBatchRecords(c.maxBatchRecords()).maxBufferedBytes(c.maxBufferedBytes()).whenBufferFull(c.policy())
        .maxBlock(Duration.ofMillis(c.maxBlockMs())).gzip(c.gzip()).connectTimeout(Duration.ofSeconds(2))
        .deliveryListener(new Listener());
    if (c.clientRequestsPerSecond() > 0) {
      b.maxRequestsPerSecond(c.clientRequestsPerSecond());
    }
    if (c.oauth()) {
      b.imsUrl(aep.imsUrl()).auth(AepAuth.oauth(CLIENT_ID, SECRET, "ADV@AdobeOrg"));
    }
    return b;
  }

  // ---- callers ----

  private long callersBoundMs() {
    TrialSpec.ClientSettings c = spec.client();
    long perStep = c.deliveryTimeoutMs() + c.requestTimeoutMs() + c.maxBlockMs() * 4 + SLACK_MS;
    return perStep * 6 + 2_000;
  }

  /**
   * Runs the callers, then a final {@code close()}, on a thread of their own: a client call that never returns (a
   * flush in a callback that waits for itself) must break an invariant, not hang the harness.
   */
  private void drive(AepStreamingClient client) throws InterruptedException {
    TrialSpec.ClientSettings c = spec.client();
    long closeBound = c.deliveryTimeoutMs() + c.requestTimeoutMs() + SLACK_MS;
    AtomicReference<String> stage = new AtomicReference<>("callers");
    Thread driver = new Thread(() -> {
      try {
        runCallers(client);
        stage.set("final close()");
        timed("final close()", closeBound, client::close);
        stage.set("done");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trial-driver-" + name);
    driver.setDaemon(true);
    driver.start();
    driver.join(callersBoundMs() + closeBound + 2_000);
    if (driver.isAlive()) {
      StackTraceElement[] stack = driver.getStackTrace();
      violations.add("the trial hung in " + stage.get() + " at " + Arrays.toString(Arrays.copyOf(stack,
          Math.min(12, stack.length))));
    }
  }

  private void runCallers(AepStreamingClient client) throws InterruptedException {
    List<List<CallerStep>> threads = spec.calls().threads();
    ExecutorService pool = Executors.newFixedThreadPool(threads.size(), r -> {
      Thread t = new Thread(r, "trial-caller");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads.size(); t++) {
        int thread = t;
        running.add(pool.submit(() -> {
          for (CallerStep step : threads.get(thread)) {
            currentStep.put(thread, step.name());
            step(client, step);
            Thread.interrupted(); // the next step starts clean
          }
          currentStep.remove(thread);
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(callersBoundMs());
      for (int t = 0; t < running.size(); t++) {
        try {
          running.get(t).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          violations.add("caller thread " + t + " hung in " + currentStep.get(t));
        } catch (java.util.concurrent.ExecutionException e) {
          violations.add("caller thread " + t + " died: " + e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void step(AepStreamingClient client, CallerStep step) {
    TrialSpec.ClientSettings c = spec.client();
    long flushBound = c.deliveryTimeoutMs() + c.requestTimeoutMs() + c.maxBlockMs() + SLACK_MS;
    long closeBound = c.deliveryTimeoutMs() + c.requestTimeoutMs() + SLACK_MS;
    switch (step) {
      case SEND, INTERRUPTED_SEND -> {
        for (int i = 0; i < spec.calls().messagesPerSend(); i++) {
          if (step == CallerStep.INTERRUPTED_SEND) {
            Thread.currentThread().interrupt();
          }
          send(client, false);
          Thread.interrupted();
        }
      }
      case TRY_SEND -> {
        for (int i = 0; i < spec.calls().messagesPerSend(); i++) {
          send(client, true);
        }
      }
      case FLUSH -> timed("flush()", flushBound, client::flush);
      case INTERRUPTED_FLUSH -> {
        Thread.currentThread().interrupt();
        timed("interrupted flush()", flushBound, client::flush);
      }
      case FLUSH_50_MS -> timed("flush(50 ms)", 50 + SLACK_MS, () -> client.flush(Duration.ofMillis(50)));
      case CLOSE_200_MS -> timed("close(200 ms)", 200 + SLACK_MS, () -> client.close(Duration.ofMillis(200)));
      case CLOSE -> timed("close()", closeBound, client::close);
      case INTERRUPTED_CLOSE -> {
        Thread.currentThread().interrupt();
        timed("interrupted close()", closeBound, client::close);
      }
    }
  }

  private void send(AepStreamingClient client, boolean trySend) {
    int n = sequence.getAndIncrement();
    int badEvery = spec.calls().badMessageEvery();
    boolean bad = badEvery > 0 && n % badEvery == badEvery - 1;
    String id = name + "-" + n;
    AepMessage message = AepMessage.of("{\"id\":\"" + id + "\"" + (bad ? ",\"bad\":true" : "")
        + ",\"body\":{\"pad\":\"" + "p".repeat(spec.calls().messagePadBytes()) + "\"}}");
    Sent record = new Sent(id, bad);
    sent.put(id, record); // before the call: the listener may run inside it
    CompletableFuture<Delivery> future;
    try {
      if (trySend) {
        Optional<CompletableFuture<Delivery>> maybe = client.trySend(message);
        if (maybe.isEmpty()) {
          sent.remove(id);
          return;
        }
        future = maybe.get();
      } else {
        future = client.send(message);
      }
    } catch (RuntimeException | Error e) {
      sent.remove(id);
      violations.add((trySend ? "trySend" : "send") + " of a valid message threw " + e);
      return;
    }
    record.returnedNanos = System.nanoTime();
    record.future = future;
    var unused = future.whenComplete((delivery, error) -> {
      record.completions.incrementAndGet();
      record.completedNanos = System.nanoTime();
      record.error = error;
      record.delivered = error == null;
    });
    CallbackKind callback = callbackOf(n);
    if (callback == CallbackKind.FUTURE_CALLS_FLUSH) {
      long bound = spec.client().deliveryTimeoutMs() + spec.client().requestTimeoutMs() + SLACK_MS;
      var unusedFlush =
          future.whenComplete((d, e) -> inCallback("flush() in a future callback", bound, client::flush));
    } else if (callback == CallbackKind.FUTURE_THROWS) {
      var unusedThrow = future.thenRun(() -> {
        throw new IllegalStateException("application bug in a callback");
      });
    }
  }

  private CallbackKind callbackOf(int n) {
    List<CallbackKind> kinds = spec.calls().callbacks();
    return kinds.get(n % kinds.size());
  }

  /** The application's listener: counts, then does what the message's callback kind says. */
  private final class Listener implements DeliveryListener {
    @Override
    public void onDelivered(AepMessage message, Delivery delivery) {
      act(message);
    }

    @Override
    public void onRejected(AepMessage message, AepRejectedException rejection) {
      act(message);
    }

    @Override
    public void onFailed(AepMessage message, AepDeliveryException failure) {
      act(message);
    }

    private void act(AepMessage message) {
      Matcher m = ID.matcher(message.json());
      if (!m.find()) {
        violations.add("the listener got a message without its id");
        return;
      }
      String id = m.group(1);
      Sent record = sent.get(id);
      if (record != null) {
        record.listenerCalls.incrementAndGet();
      }
      int n = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
      AepStreamingClient client = clientRef.get();
      long bound = spec.client().deliveryTimeoutMs() + spec.client().requestTimeoutMs() + SLACK_MS;
      switch (callbackOf(n)) {
        case LISTENER_CALLS_CLOSE -> inCallback("close() in the listener", bound, client::close);
        case LISTENER_CALLS_FLUSH -> inCallback("flush() in the listener", bound, client::flush);
        case LISTENER_THROWS_RUNTIME_EXCEPTION -> throw new IllegalStateException("listener bug");
        case LISTENER_THROWS_ERROR -> throw new AssertionError("listener assertion");
        default -> { }
      }
    }
  }

  /** A call from a callback: may fail fast with IllegalStateException (the documented refusal), else must return. */
  private void inCallback(String what, long boundMs, Runnable call) {
    callbacksRunning.incrementAndGet();
    try {
      timed(what, boundMs, call);
    } finally {
      callbacksRunning.decrementAndGet();
    }
  }

  private void timed(String what, long boundMs, Runnable call) {
    boolean interrupted = Thread.currentThread().isInterrupted();
    long start = System.nanoTime();
    try {
      call.run();
    } catch (IllegalStateException e) {
      // the documented refusal of flush/close from the client's own threads
    } catch (AepException e) {
      // documented for an interrupted wait, which sets the flag again
      if (!interrupted && !Thread.currentThread().isInterrupted()) {
        violations.add(what + " threw " + e + " on a thread that was not interrupted");
      }
    } catch (RuntimeException | Error e) {
      violations.add(what + " threw " + e);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (ms > boundMs) {
      violations.add(what + " returned after " + ms + " ms, bound " + boundMs + " ms");
    }
  }

  // ---- invariants ----

  private void checkEverySettled() throws InterruptedException {
    awaitQuietly(Duration.ofMillis(SLACK_MS), // completions that close() has just triggered
        () -> sent.values().stream().noneMatch(r -> r.future != null && r.completions.get() == 0));
    long deadlineMs = spec.client().deliveryTimeoutMs() + SLACK_MS;
    for (Sent r : sent.values()) {
      if (r.future == null) {
        continue; // send is still blocked in a hung caller: reported there
      }
      if (r.completions.get() != 1) {
        violations.add("future of " + r.id + " completed " + r.completions.get() + " times after close()");
        continue;
      }
      if (r.listenerCalls.get() != 1) {
        violations.add("listener told " + r.listenerCalls.get() + " times about " + r.id);
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(r.completedNanos - r.returnedNanos);
      if (ms > deadlineMs) {
        violations.add("future of " + r.id + " completed " + ms + " ms after send returned, deadline "
            + spec.client().deliveryTimeoutMs() + " ms + slack (" + describe(r.error) + ")");
      }
    }
    if (callbacksRunning.get() > 0) {
      violations.add(callbacksRunning.get() + " flush/close call(s) from callbacks still running after close()");
    }
  }

  /**
   * A delivery timeout whose last attempt was cut while reading AEP's answer, at the deadline: the answer may have
   * been written (and acknowledged) as the client gave up, which the deadline contract requires it to do. Documented
   * as "may have been delivered", like {@code CLOSED}. Found by the long mode (trial adv779: a 207 held within the
   * request timeout, but the attempt's timeout was cut to the time left).
   */
  private boolean answerCutByTheDeadline(Sent r) {
    if (!(r.error instanceof AepDeliveryException d) || d.reason() != AepDeliveryException.Reason.DELIVERY_TIMEOUT) {
      return false;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(r.completedNanos - r.returnedNanos);
    if (ms < spec.client().deliveryTimeoutMs() - SLACK_MS) {
      return false;
    }
    for (Throwable t = d; t != null; t = t.getCause()) {
      if (t instanceof java.io.InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  private void checkOutcomes(AepSimulator aep) {
    Map<String, Integer> accepted = aep.acceptedIds();
    for (String id : aep.acknowledgedIds().keySet()) {
      Sent r = sent.get(id);
      if (r != null && r.completions.get() == 1 && !r.delivered
          && !(r.error instanceof AepDeliveryException d && d.reason() == AepDeliveryException.Reason.CLOSED)
          && !answerCutByTheDeadline(r)) {
        violations.add("simulator acknowledged " + id + " but the client reported " + describe(r.error));
      }
    }
    boolean noRequestAtAll = aep.requests().stream().noneMatch(q -> q.path().startsWith("/collection/"));
    long earlyMs = spec.client().deliveryTimeoutMs() - SLACK_MS;
    for (Sent r : sent.values()) {
      if (noRequestAtAll && r.error instanceof AepDeliveryException d && r.completions.get() == 1
          && d.reason() != AepDeliveryException.Reason.BUFFER_FULL && d.reason() != AepDeliveryException.Reason.CLOSED
          && d.reason() != AepDeliveryException.Reason.AUTHENTICATION
          && TimeUnit.NANOSECONDS.toMillis(r.completedNanos - r.returnedNanos) < earlyMs) {
        violations.add(r.id + " gave up before its deadline without a single request to the inlet: "
            + describe(r.error));
      }
      if (r.delivered && !accepted.containsKey(r.id)) {
        violations.add(r.id + " reported delivered but the simulator never accepted it");
      }
      if (r.error instanceof AepRejectedException rejected
          && (rejected.statusCode() == 429 || rejected.statusCode() >= 500)) {
        violations.add(r.id + " reported rejected with retryable status " + rejected.statusCode());
      }
      if (r.delivered && r.bad) {
        violations.add(r.id + " is one the simulator refuses, but was reported delivered");
      }
    }
  }

  private void checkRequestRate(AepSimulator aep, AepClientMetrics metrics) {
    List<RecordedRequest> dcs = aep.requests().stream().filter(r -> r.path().startsWith("/collection/")).toList();
    if (dcs.size() < 2) {
      return;
    }
    long spanMs = TimeUnit.NANOSECONDS.toMillis(dcs.get(dcs.size() - 1).receivedNanos() - dcs.get(0).receivedNanos());
    TrialSpec.ClientSettings c = spec.client();
    // First attempts, bisection halves and token-refresh retries are bounded by the messages and batches; every
    // other request is a retry, which the back-off (at least 75% of the initial one, after jitter) spaces per slot.
    double minBackoffMs = Math.max(0.75 * c.initialBackoffMs(), 0.001);
    long allowed = 4L * (metrics.batches() + 2L * metrics.messagesSent())
        + (long) (2L * c.maxInFlight() * (spanMs / minBackoffMs + 1));
    if (dcs.size() > allowed) {
      violations.add(dcs.size() + " requests in " + spanMs + " ms, more than the back-off allows (" + allowed + ")");
    }
    if (c.clientRequestsPerSecond() > 0) {
      long limit = (long) Math.ceil(c.clientRequestsPerSecond() * spanMs / 1000.0
          + Math.max(1, c.clientRequestsPerSecond())) + 2;
      if (dcs.size() > limit) {
        violations.add(dcs.size() + " requests in " + spanMs + " ms above the client's own limit of "
            + c.clientRequestsPerSecond() + "/s (allowed " + limit + ")");
      }
    }
  }

  private void checkReleased(AepClientMetrics metrics) throws InterruptedException {
    if (metrics.bufferedBytes() != 0) {
      violations.add("bufferedBytes " + metrics.bufferedBytes() + " after close()");
    }
    String prefix = "aep-client-" + name + "-";
    awaitQuietly(Duration.ofSeconds(5), () -> clientThreads(prefix).isEmpty());
    List<String> alive = clientThreads(prefix);
    if (!alive.isEmpty()) {
      violations.add("client threads alive 5 s after close(): " + alive);
    }
  }

  /** Waits up to {@code atMost} for {@code condition}; the caller checks what it needs afterwards. */
  private static void awaitQuietly(Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
    try {
      org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // reported by the check that follows
    }
  }

  private static List<String> clientThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith(prefix)).toList();
  }

  private void checkNoSecret(String text) {
    if (text.contains(SECRET)) {
      violations.add("the client secret is in the log");
    }
    if (text.contains("Bearer ")) {
      violations.add("a bearer header is in the log");
    }
    if (SIM_TOKEN.matcher(text).find()) {
      violations.add("an access token is in the log");
    }
  }

  private static String describe(Throwable error) {
    if (error == null) {
      return "delivered";
    }
    Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (e instanceof AepDeliveryException d) {
      return "failed " + d.reason() + ": " + d.getMessage();
    }
    return e.toString();
  }
}
