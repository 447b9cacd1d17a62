package dev.aepclient.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Latency, bandwidth, rate limit, the adversarial faults and the own-process main of the simulator. */
class AepSimulatorRealismTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false)
      .readTimeout(Duration.ofSeconds(10)).build();
  private final List<AepSimulator> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(AepSimulator::close);
  }

  private AepSimulator start(AepSimulator.Builder builder) {
    AepSimulator simulator = builder.start();
    started.add(simulator);
    return simulator;
  }

  private record Answer(int code, String text, String retryAfter) {
    JsonNode json() throws IOException {
      return MAPPER.readTree(text);
    }
  }

  private Answer post(OkHttpClient client, String url, String body) throws IOException {
    Request request = new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build();
    try (Response response = client.newCall(request).execute()) {
      return new Answer(response.code(), response.body().string(), response.header("Retry-After"));
    }
  }

  private Answer postBatch(AepSimulator sim, String... messages) throws IOException {
    return post(http, sim.baseUrl() + "/collection/batch/inlet-1", "{\"messages\":[" + String.join(",", messages)
        + "]}");
  }

  @Test
  void latency_holdsAnswersOnATimer_soHundredsInFlightNeedNoServerThreads() throws Exception {
    AepSimulator sim = start(AepSimulator.builder().threads(2).latency(Duration.ofMillis(400), Duration.ZERO));
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(300);
    dispatcher.setMaxRequestsPerHost(300);
    OkHttpClient wide = http.newBuilder().dispatcher(dispatcher).connectionPool(new ConnectionPool(300, 1,
        TimeUnit.MINUTES)).build();
    // warm-up: one connection and the server's first request off the clock
    post(wide, sim.baseUrl() + "/collection/batch/inlet-1", "{\"messages\":[{}]}");
    int requests = 200;
    List<CompletableFuture<Long>> answers = new ArrayList<>();
    long startNanos = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      CompletableFuture<Long> done = new CompletableFuture<>();
      answers.add(done);
      Request request = new Request.Builder().url(sim.baseUrl() + "/collection/batch/inlet-1")
          .post(RequestBody.create("{\"messages\":[{}]}", JSON)).build();
      wide.newCall(request).enqueue(new Callback() {
        @Override
        public void onFailure(Call call, IOException e) {
          done.completeExceptionally(e);
        }

        @Override
        public void onResponse(Call call, Response response) {
          try (response) {
            assertThat(response.code()).isEqualTo(207);
            done.complete(System.nanoTime());
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        }
      });
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
    // 200 answers held 400 ms each by 2 server threads: sleeping handlers would need 200 * 400 / 2 = 40 s.
    assertThat(elapsedMs).isBetween(400L, 4_000L);
    assertThat(sim.acceptedCount()).isEqualTo(requests + 1);
  }

  @Test
  void latencyWithJitter_everyAnswerWithinFixedPlusJitter() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().latency(Duration.ofMillis(100), Duration.ofMillis(100))
        .seed(7));
    postBatch(sim, "{}");
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      assertThat(postBatch(sim, "{}").code()).isEqualTo(207);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).isBetween(100L, 1_000L);
    }
  }

  @Test
  void builder_refusesBadRealismSettings_namingThem() {
    assertThatThrownBy(() -> AepSimulator.builder().latency(Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency");
    assertThatThrownBy(() -> AepSimulator.builder().latency(Duration.ZERO, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency");
    assertThatThrownBy(() -> AepSimulator.builder().bandwidthBytesPerSecond(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bandwidthBytesPerSecond");
    assertThatThrownBy(() -> AepSimulator.builder().rateLimit(0, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rateLimit");
    assertThatThrownBy(() -> AepSimulator.builder().rateLimit(10, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rateLimit");
  }

  @Test
  void bandwidthCap_answersNoFasterThanTheBytesCanCross() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().bandwidthBytesPerSecond(100_000));
    String big = "{\"p\":\"" + "x".repeat(60_000) + "\"}";
    postBatch(sim, "{}");
    long t0 = System.nanoTime();
    assertThat(postBatch(sim, big).code()).isEqualTo(207);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).isGreaterThanOrEqualTo(550L); // 60 KB at 100 KB/s
  }

  @Test
  void rateLimitOnRequests_429WithRetryAfterInWholeSeconds_andNothingAccepted() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().rateLimit(5, Double.POSITIVE_INFINITY));
    int ok = 0;
    Answer refused = null;
    for (int i = 0; i < 12; i++) {
      Answer a = postBatch(sim, "{}");
      if (a.code() == 207) {
        ok++;
      } else {
        refused = a;
      }
    }
    // a bucket of 5 and a refill of 5/s: at most a couple more while the loop runs
    assertThat(ok).isBetween(5, 8);
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo(429);
    assertThat(Long.parseLong(refused.retryAfter())).isGreaterThanOrEqualTo(1);
    assertThat(sim.acceptedCount()).isEqualTo(ok);
    assertThat(sim.requestsByStatus()).containsEntry(429, (long) (12 - ok));
  }

  @Test
  void rateLimitOnMessages_countsTheMessagesOfABatch() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().rateLimit(1000, 10));
    assertThat(postBatch(sim, "{}", "{}", "{}", "{}", "{}", "{}", "{}", "{}").code()).isEqualTo(207);
    Answer second = postBatch(sim, "{}", "{}", "{}", "{}", "{}", "{}", "{}", "{}");
    assertThat(second.code()).isEqualTo(429);
    assertThat(second.retryAfter()).isEqualTo("1");
    // a batch larger than the whole bucket still passes once the bucket is full, or it could never pass
    AepSimulator small = start(AepSimulator.builder().rateLimit(1000, 3));
    assertThat(postBatch(small, "{}", "{}", "{}", "{}", "{}").code()).isEqualTo(207);
  }

  @Test
  void retryAfterAsHttpDate_pastAndFuture_computedWhenAnswered() throws IOException {
    AepSimulator sim = start(AepSimulator.builder());
    sim.enqueueFaults(Fault.status(503).withRetryAfterDate(Duration.ofSeconds(-30)),
        Fault.status(429).withRetryAfterDate(Duration.ofSeconds(120)), Fault.status(429).withRetryAfter("0"),
        Fault.status(503));
    Instant now = Instant.now();
    Answer past = postBatch(sim, "{}");
    Answer future = postBatch(sim, "{}");
    assertThat(past.code()).isEqualTo(503);
    Instant pastDate = ZonedDateTime.parse(past.retryAfter(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    assertThat(pastDate).isBetween(now.minusSeconds(40), now.minusSeconds(20));
    assertThat(future.code()).isEqualTo(429);
    Instant futureDate = ZonedDateTime.parse(future.retryAfter(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    assertThat(futureDate).isBetween(now.plusSeconds(110), now.plusSeconds(130));
    assertThat(postBatch(sim, "{}").retryAfter()).isEqualTo("0");
    Answer absent = postBatch(sim, "{}");
    assertThat(absent.code()).isEqualTo(503);
    assertThat(absent.retryAfter()).isNull();
    assertThat(sim.acceptedCount()).isZero();
  }

  @Test
  void short207_omitsTheLastEntry_andDoesNotAcceptIt() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().idPointer("/id"));
    sim.enqueueFaults(Fault.shortResponses());
    Answer a = postBatch(sim, "{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\"}");
    assertThat(a.code()).isEqualTo(207);
    assertThat(a.json().path("responses")).hasSize(2);
    assertThat(sim.acceptedIds()).containsOnlyKeys("a", "b");
    // One entry short is a protocol error: the client cannot tell which entry answers which message.
    assertThat(sim.acknowledgedIds()).isEmpty();
  }

  @Test
  void long207_hasAnExtraEntry_andAcceptsEveryMessage_butAcknowledgesNone() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().idPointer("/id"));
    sim.enqueueFaults(Fault.extraResponses());
    Answer a = postBatch(sim, "{\"id\":\"a\"}", "{\"id\":\"b\"}");
    assertThat(a.json().path("responses")).hasSize(3);
    assertThat(sim.acceptedIds()).containsOnlyKeys("a", "b");
    assertThat(sim.acknowledgedIds()).isEmpty();
  }

  @Test
  void garbled207_isNotJson_andAcceptsNothing() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().idPointer("/id"));
    sim.enqueueFaults(Fault.garbledResponses());
    Answer a = postBatch(sim, "{\"id\":\"a\"}", "{\"id\":\"b\"}");
    assertThat(a.code()).isEqualTo(207);
    assertThatThrownBy(a::json).isInstanceOf(IOException.class);
    assertThat(sim.acceptedCount()).isZero();
    assertThat(sim.acknowledgedIds()).isEmpty();
  }

  @Test
  void missingResponses_acceptsButDoesNotAcknowledge() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().idPointer("/id"));
    sim.enqueueFaults(Fault.missingResponses());
    postBatch(sim, "{\"id\":\"a\"}");
    assertThat(sim.acceptedIds()).containsOnlyKeys("a");
    assertThat(sim.acknowledgedIds()).isEmpty();
  }

  @Test
  void perEntryStatuses_429And503InsideA207_acceptNothing() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().idPointer("/id"));
    sim.enqueueFaults(Fault.entryStatus(429), Fault.entryStatus(503));
    for (int status : new int[] {429, 503}) {
      Answer a = postBatch(sim, "{\"id\":\"a\"}", "{\"id\":\"b\"}");
      assertThat(a.code()).isEqualTo(207);
      assertThat(a.json().path("responses")).hasSize(2)
          .allSatisfy(entry -> assertThat(entry.path("statusCode").asInt()).isEqualTo(status));
    }
    assertThat(sim.acceptedCount()).isZero();
    assertThatThrownBy(() -> Fault.entryStatus(200)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void slowBody_tricklesTheAnswer_whichArrivesWhole() throws IOException {
    AepSimulator sim = start(AepSimulator.builder().threads(1).idPointer("/id"));
    sim.enqueueFaults(Fault.slowBody(Duration.ofMillis(600)));
    long t0 = System.nanoTime();
    Answer a = postBatch(sim, "{\"id\":\"a\"}", "{\"id\":\"b\"}");
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(500L);
    assertThat(a.json().path("responses")).hasSize(2);
    assertThat(sim.acknowledgedIds()).containsOnlyKeys("a", "b");
  }

  @Test
  void hold_neverAnswers_andTakesNoServerThread_closeDropsIt() throws Exception {
    AepSimulator sim = start(AepSimulator.builder().threads(1));
    sim.enqueueFaults(Fault.hold(), Fault.hold());
    OkHttpClient patient = http.newBuilder().readTimeout(Duration.ofSeconds(30)).build();
    CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> {
      try {
        return postBatch(sim, "{}").code();
      } catch (IOException e) {
        return -1;
      }
    });
    CompletableFuture<Integer> held2 = CompletableFuture.supplyAsync(() -> {
      try {
        return post(patient, sim.baseUrl() + "/collection/batch/inlet-1", "{\"messages\":[{}]}").code();
      } catch (IOException e) {
        return -1;
      }
    });
    // with both held and one server thread, a third request is still served
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> sim.requestsByStatus().getOrDefault(0, 0L) == 2L);
    assertThat(postBatch(sim, "{}").code()).isEqualTo(207);
    assertThat(held).isNotDone();
    sim.close();
    assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    assertThat(held2.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
  }

  @Test
  void imsFaults_failingSlowAndNeverAnswering() throws Exception {
    AepSimulator sim = start(AepSimulator.builder().oauthCredential("id", "secret"));
    sim.enqueueImsFaults(Fault.status(500), Fault.delay(Duration.ofMillis(400)), Fault.hold());
    FormBody form = new FormBody.Builder().add("grant_type", "client_credentials").add("client_id", "id")
        .add("client_secret", "secret").add("scope", "openid").build();
    Request token = new Request.Builder().url(sim.imsUrl() + "/ims/token/v3").post(form).build();
    try (Response failing = http.newCall(token).execute()) {
      assertThat(failing.code()).isEqualTo(500);
    }
    long t0 = System.nanoTime();
    try (Response slow = http.newCall(token).execute()) {
      assertThat(slow.code()).isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(400L);
    }
    OkHttpClient impatient = http.newBuilder().readTimeout(Duration.ofMillis(500)).build();
    assertThatThrownBy(() -> impatient.newCall(token).execute()).isInstanceOf(InterruptedIOException.class);
    try (Response normal = http.newCall(token).execute()) {
      assertThat(normal.code()).isEqualTo(200);
    }
    assertThat(sim.tokensIssued()).isEqualTo(2);
  }

  @Test
  void main_runsASimulatorInItsOwnProcess_withTheRealismSettings() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        AepSimulatorMain.class.getName(), "--latency-ms", "50", "--rate-limit-rps", "100", "--rate-limit-mps", "1000",
        "--until-stdin-closes").redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).startsWith("AepSimulator listening inlet=http://127.0.0.1:");
      String inlet = ready.substring(ready.indexOf("inlet=") + 6, ready.indexOf(" ims="));
      String batchUrl = inlet.replace("/collection/", "/collection/batch/");
      post(http, batchUrl, "{\"messages\":[{}]}");
      long t0 = System.nanoTime();
      assertThat(post(http, batchUrl, "{\"messages\":[{},{}]}").code()).isEqualTo(207);
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(50L);
      process.getOutputStream().close();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(out.readLine()).contains("accepted=3");
    } finally {
      process.destroyForcibly();
    }
  }
}
