package dev.aepclient.examples.bench;

import dev.aepclient.AepBufferFullException;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.BufferFullPolicy;
import dev.aepclient.Delivery;
import dev.aepclient.examples.demo.HeapWatcher;
import dev.aepclient.examples.demo.SampleEvents;
import dev.aepclient.kafka.AepKafkaForwarder;
import dev.aepclient.kafka.AepKafkaMetrics;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import dev.aepclient.testkit.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end benchmark: every scenario in one process, against the same {@link AepSimulator}, with the same
 * ~600-byte XDM messages, printed as a Markdown report with the ratios the project tracks. Numbers depend on the
 * machine; run them side by side, compare ratios.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs the aep-client benchmarks side by side and prints a Markdown report.")
public final class Benchmarks implements Callable<Integer> {
  private static final MediaType JSON = MediaType.get("application/json");

  @Option(names = "--messages", description = "messages for the throughput scenarios; default ${DEFAULT-VALUE}")
  int messages = 1_000_000;

  @Option(names = "--slow-messages", description = "messages for the slow baselines; default ${DEFAULT-VALUE}")
  int slowMessages = 20_000;

  @Option(names = "--kafka-records", description = "records for the Kafka scenario; default ${DEFAULT-VALUE}")
  int kafkaRecords = 500_000;

  @Option(names = "--latency-records", description = "records for the Kafka-at-latency sweep; default ${DEFAULT-VALUE}")
  int latencyRecords = 300_000;

  @Option(names = "--latencies", split = ",", description = "round trips (ms) for the Kafka-at-latency sweep;"
      + " default ${DEFAULT-VALUE}")
  List<Integer> latencies = List.of(0, 20, 50, 100);

  @Option(names = "--latency-warmup", description = "records of each untimed warm-up round (both paths, 0 ms) before"
      + " the Kafka-at-latency sweep; default ${DEFAULT-VALUE}")
  int latencyWarmup = 300_000;

  @Option(names = "--latency-warmup-rounds", description = "most warm-up rounds, ended early once the JIT compiler"
      + " settles; default ${DEFAULT-VALUE}")
  int latencyWarmupRounds = 8;

  @Option(names = "--latency-repeats", description = "runs of the whole Kafka-at-latency sweep (a median is"
      + " reported); default ${DEFAULT-VALUE}")
  int latencyRepeats = 3;

  @Option(names = "--latency-consumer", split = ",", description = "consumer properties for the"
      + " Kafka-at-latency sweep's forwarder, on top of the defaults (key=value,...), for experiments; default none")
  Map<String, String> latencyConsumer = Map.of();

  @Option(names = "--latency-services", description = "where the Kafka-at-latency sweep's broker and simulator run:"
      + " pinned (JVMs of their own on half the CPUs, this JVM pinned to the other half, with taskset; shared where"
      + " that is not possible) or shared (in this JVM); default ${DEFAULT-VALUE}")
  Placement latencyServices = Placement.pinned;

  enum Placement { pinned, shared }

  @Option(names = "--latency-throttle", split = ",", description = "requests/s,messages/s: the Kafka-at-latency"
      + " sweep's simulators throttle as AEP does (429 beyond either rate); default none")
  List<Integer> latencyThrottle = List.of();

  @Option(names = "--latency-window", description = "the forwarder's maxUnsettled records in the Kafka-at-latency"
      + " sweep, for experiments; default 0: the forwarder's default")
  int latencyWindow;

  @Option(names = "--memory-messages", description = "messages offered to a stalled AEP; default ${DEFAULT-VALUE}")
  int memoryMessages = 5_000_000;

  @Option(names = "--in-flight", description = "requests in flight (client and raw ceiling); default ${DEFAULT-VALUE}")
  int inFlight = 8;

  @Option(names = "--only", split = ",", description = "run only these scenarios: ${COMPLETION-CANDIDATES}")
  List<Scenario> only = List.of();

  enum Scenario { simulator, client, raw, loop, connector, latency, faults, kafka, kafkalatency, memory }

  private final PrintStream out = System.out;
  private final Map<String, Result> results = new LinkedHashMap<>();
  private String[] values;

  /** One scenario's figures. */
  record Result(String name, long messages, double seconds, Duration p50, Duration p99, long peakHeapBytes,
      String note) {
    double rate() {
      return messages / seconds;
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmarks()).execute(args));
  }

  private boolean runs(Scenario s) {
    return only.isEmpty() || only.contains(s);
  }

  @Override
  public Integer call() throws Exception {
    SampleEvents events = new SampleEvents();
    values = new String[1 << 16]; // 65,536 distinct good events, reused round robin
    for (int i = 0, n = 0; i < values.length; n++) {
      if (!SampleEvents.isBad(n)) {
        values[i++] = events.value(n);
      }
    }
    out.printf("# aep-client benchmarks%n%nJava %s, %d cores, max heap %d MB; messages ~%d bytes%n%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, values[0].getBytes(StandardCharsets.UTF_8).length);
    try (AepSimulator counting = AepSimulator.builder().countingMode(true).threads(8).start()) {
      if (runs(Scenario.simulator)) {
        simulatorCapacity(counting);
      }
      if (runs(Scenario.raw)) {
        rawCeiling(counting);
      }
      if (runs(Scenario.client)) {
        clientThroughput(counting);
      }
      if (runs(Scenario.loop)) {
        perMessageLoop(counting);
      }
      if (runs(Scenario.connector)) {
        connectorStyle(counting);
      }
      if (runs(Scenario.latency)) {
        pacedLatency(counting);
      }
    }
    if (runs(Scenario.faults)) {
      withFaults();
    }
    if (runs(Scenario.kafka)) {
      kafkaEndToEnd();
    }
    if (runs(Scenario.kafkalatency)) {
      kafkaAtLatency();
    }
    if (runs(Scenario.memory)) {
      memory();
    }
    report();
    return 0;
  }

  private AepMessage message(long i) {
    return AepMessage.of(values[(int) (i & (values.length - 1))]);
  }

  /** A pre-built {@code {"messages":[…]}} body of {@code count} messages starting at {@code first}. */
  private byte[] body(long first, int count) {
    StringBuilder b = new StringBuilder(count * 700).append("{\"messages\":[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(values[(int) ((first + i) & (values.length - 1))]);
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void gc() {
    System.gc();
    HeapWatcher.reset();
  }

  private static OkHttpClient okHttp(int concurrency) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(concurrency);
    dispatcher.setMaxRequestsPerHost(concurrency);
    return new OkHttpClient.Builder().dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(concurrency + 2, 1, TimeUnit.MINUTES)).build();
  }

  private static void shutdown(OkHttpClient http) {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  /** Pre-built bodies posted by bare OkHttp with {@code concurrency} in flight; returns seconds. */
  private double postAll(AepSimulator sim, OkHttpClient http, List<byte[]> bodies, int concurrency)
      throws InterruptedException {
    Semaphore slots = new Semaphore(concurrency);
    CountDownLatch done = new CountDownLatch(bodies.size());
    AtomicLong failures = new AtomicLong();
    String url = sim.baseUrl() + "/collection/batch/" + AepSimulator.DEFAULT_INLET;
    long start = System.nanoTime();
    for (byte[] body : bodies) {
      slots.acquire();
      http.newCall(new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build())
          .enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
              failures.incrementAndGet();
              slots.release();
              done.countDown();
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
              try (response) {
                response.body().bytes();
                if (response.code() != 207) {
                  failures.incrementAndGet();
                }
              }
              slots.release();
              done.countDown();
            }
          });
    }
    done.await();
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " requests failed");
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private void simulatorCapacity(AepSimulator sim) throws Exception {
    // The simulator alone: batches of 500 from one OkHttp client with 16 in flight, bodies built beforehand.
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      bodies.add(body(i * 500L, 500));
    }
    int requests = messages / 500;
    List<byte[]> all = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      all.add(bodies.get(i % bodies.size()));
    }
    OkHttpClient http = okHttp(16);
    postAll(sim, http, all.subList(0, Math.min(200, all.size())), 16); // warm-up
    gc();
    double secs = postAll(sim, http, all, 16);
    shutdown(http);
    add(new Result("AepSimulator capacity (counting mode, 500/batch, 16 in flight)", requests * 500L, secs, null,
        null, HeapWatcher.peakBytes(), "bare OkHttp, pre-built bodies"));
  }

  private void rawCeiling(AepSimulator sim) throws Exception {
    int requests = messages / 500;
    List<byte[]> all = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      all.add(body(i * 500L, 500)); // built before the clock starts
    }
    OkHttpClient http = okHttp(inFlight);
    postAll(sim, http, all.subList(0, Math.min(200, all.size())), inFlight);
    gc();
    double secs = postAll(sim, http, all, inFlight);
    shutdown(http);
    all.clear();
    add(new Result("raw ceiling: bare OkHttp, pre-built bodies, " + inFlight + " in flight", requests * 500L, secs,
        null, null, HeapWatcher.peakBytes(), "no validation, no batching, no outcomes"));
  }

  private Result runClient(AepStreamingClient client, long count, long ratePerSecond) {
    return runClient(client, count, ratePerSecond, false);
  }

  /** Sends {@code count} messages and waits for all outcomes; {@code prebuilt}: AepMessages made before the clock. */
  private Result runClient(AepStreamingClient client, long count, long ratePerSecond, boolean prebuilt) {
    AepMessage[] built = null;
    if (prebuilt) {
      built = new AepMessage[values.length];
      for (int i = 0; i < built.length; i++) {
        built[i] = message(i);
      }
    }
    long start = System.nanoTime();
    CompletableFuture<Delivery> last = null;
    for (long i = 0; i < count; i++) {
      if (ratePerSecond > 0) {
        long due = start + i * 1_000_000_000L / ratePerSecond;
        while (System.nanoTime() < due) {
          Thread.onSpinWait(); // pacing: the send schedule, not a wait for a result
        }
      }
      last = client.send(built != null ? built[(int) (i & (built.length - 1))] : message(i));
    }
    client.flush();
    double secs = (System.nanoTime() - start) / 1e9;
    AepClientMetrics m = client.metrics();
    if (m.messagesDelivered() < count || last == null || last.isCompletedExceptionally()) {
      throw new IllegalStateException("not every message was delivered: " + m);
    }
    return new Result("", count, secs, m.latencyP50(), m.latencyP99(), HeapWatcher.peakBytes(), "");
  }

  private void clientThroughput(AepSimulator sim) {
    try (AepStreamingClient warm = AepStreamingClient.builder().inletUrl(sim.inletUrl()).build()) {
      runClient(warm, Math.min(200_000, messages), 0);
    }
    gc();
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl())
        .maxInFlightRequests(inFlight).build()) {
      Result r = runClient(client, messages, 0, false);
      add(new Result("aep-client: AepMessage.of + send() from 1 thread (500/batch, " + inFlight + " in flight)",
          r.messages(), r.seconds(), r.p50(), r.p99(), r.peakHeapBytes(),
          "JSON check + batching + per-message outcomes"));
    }
    gc();
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl())
        .maxInFlightRequests(inFlight).build()) {
      Result r = runClient(client, messages, 0, true);
      add(new Result("aep-client: send() of pre-built messages from 1 thread (500/batch, " + inFlight + " in flight)",
          r.messages(), r.seconds(), r.p50(), r.p99(), r.peakHeapBytes(),
          "batching + per-message outcomes; the like of the raw ceiling's pre-built bodies"));
    }
  }

  private void pacedLatency(AepSimulator sim) {
    gc();
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl()).build()) {
      Result r = runClient(client, 50_000, 10_000);
      add(new Result("aep-client at 10,000 messages/s (linger 10 ms)", r.messages(), r.seconds(), r.p50(), r.p99(),
          r.peakHeapBytes(), "latency target: p50 <= linger + 10 ms"));
    }
  }

  private void perMessageLoop(AepSimulator sim) throws IOException {
    OkHttpClient http = okHttp(1);
    String url = sim.inletUrl();
    for (int i = 0; i < 500; i++) {
      postOne(http, url, values[i].getBytes(StandardCharsets.UTF_8));
    }
    gc();
    long[] latencies = new long[slowMessages];
    long start = System.nanoTime();
    for (int i = 0; i < slowMessages; i++) {
      long t = System.nanoTime();
      postOne(http, url, values[i & (values.length - 1)].getBytes(StandardCharsets.UTF_8));
      latencies[i] = System.nanoTime() - t;
    }
    double secs = (System.nanoTime() - start) / 1e9;
    shutdown(http);
    Arrays.sort(latencies);
    add(new Result("per-message loop: synchronous POST /collection/{id}, 1 thread", slowMessages, secs,
        Duration.ofNanos(latencies[slowMessages / 2]), Duration.ofNanos(latencies[slowMessages * 99 / 100]),
        HeapWatcher.peakBytes(), "what users write by hand"));
  }

  private static void postOne(OkHttpClient http, String url, byte[] body) throws IOException {
    try (Response response = http.newCall(new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build())
        .execute()) {
      response.body().bytes();
      if (!response.isSuccessful()) {
        throw new IOException("status " + response.code());
      }
    }
  }

  /**
   * The Adobe connector's design: one batch request in flight, a batch flushed at 4 KB, 3 tries with a fixed 300 ms
   * sleep, from the caller's thread.
   */
  private void connectorStyle(AepSimulator sim) throws Exception {
    OkHttpClient http = okHttp(1);
    String url = sim.baseUrl() + "/collection/batch/" + AepSimulator.DEFAULT_INLET;
    gc();
    long start = System.nanoTime();
    List<String> batch = new ArrayList<>();
    int batchBytes = 15;
    long sent = 0;
    for (int i = 0; i < slowMessages; i++) {
      String value = values[i & (values.length - 1)];
      int size = value.getBytes(StandardCharsets.UTF_8).length + 1;
      if (batchBytes + size > 4096 && !batch.isEmpty()) {
        sent += postWithFixedRetries(http, url, batch);
        batch.clear();
        batchBytes = 15;
      }
      batch.add(value);
      batchBytes += size;
    }
    sent += postWithFixedRetries(http, url, batch);
    double secs = (System.nanoTime() - start) / 1e9;
    shutdown(http);
    add(new Result("connector-style: 1 request in flight, 4 KB batches, 3 x 300 ms retries", sent, secs, null, null,
        HeapWatcher.peakBytes(), "the Adobe Kafka Connect sink's design"));
  }

  private static int postWithFixedRetries(OkHttpClient http, String url, List<String> batch) throws Exception {
    byte[] body = ("{\"messages\":[" + String.join(",", batch) + "]}").getBytes(StandardCharsets.UTF_8);
    for (int attempt = 1; ; attempt++) {
      try {
        postOne(http, url, body);
        return batch.size();
      } catch (IOException e) {
        if (attempt == 3) {
          return 0; // the connector drops the batch here
        }
        Thread.sleep(300); // the connector's fixed back-off, reproduced on purpose
      }
    }
  }

  private void withFaults() {
    try (AepSimulator sim = AepSimulator.builder().idPointer(SampleEvents.ID_POINTER).threads(8).start()) {
      Map<Fault, Double> mix = new LinkedHashMap<>();
      mix.put(Fault.status(503), 0.05);
      mix.put(Fault.status(429), 0.02);
      sim.randomFaults(11, mix);
      int count = Math.min(messages, 300_000);
      // Unique ids this time, so the simulator can tell that each single message arrived.
      SampleEvents events = new SampleEvents();
      AepMessage[] unique = new AepMessage[count];
      for (int i = 0, n = 0; i < count; n++) {
        if (!SampleEvents.isBad(n)) {
          unique[i++] = AepMessage.of(events.value(n));
        }
      }
      gc();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl())
          .maxInFlightRequests(inFlight).build()) {
        long start = System.nanoTime();
        for (AepMessage m : unique) {
          var unused = client.send(m);
        }
        client.flush();
        double secs = (System.nanoTime() - start) / 1e9;
        AepClientMetrics m = client.metrics();
        boolean nothingLost = sim.acceptedIds().size() == count && m.messagesDelivered() == count
            && m.messagesFailed() == 0;
        add(new Result("aep-client with 5% 503 + 2% 429 (validating simulator)", count, secs, m.latencyP50(),
            m.latencyP99(), HeapWatcher.peakBytes(), String.format("%,d requests, %,d retried, %,d duplicates on the"
                + " wire; all %,d distinct ids delivered: %s", m.requests(), m.retriedRequests(), sim.duplicates(),
                count, nothingLost)));
      }
    }
  }

  private void kafkaEndToEnd() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        AepSimulator sim = AepSimulator.builder().countingMode(true).threads(8).start()) {
      String topic = "bench-events";
      kafka.createTopic(topic, 6);
      Properties producerProps = kafka.producerProperties(StringSerializer.class, StringSerializer.class);
      producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "20");
      producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
        for (int i = 0; i < kafkaRecords; i++) {
          var unused = producer.send(new ProducerRecord<>(topic, values[i & (values.length - 1)]));
        }
      }
      Properties consumerProps = kafka.consumerProperties("bench", ByteArrayDeserializer.class,
          ByteArrayDeserializer.class);
      consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
      consumerProps.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
      gc();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.inletUrl())
          .maxInFlightRequests(inFlight).build()) {
        long start = System.nanoTime();
        AepKafkaForwarder<byte[], byte[]> forwarder = AepKafkaForwarder.builder(
            new KafkaConsumer<byte[], byte[]>(consumerProps), client).topics(topic)
            .commitInterval(Duration.ofMillis(100)).build().start();
        long maxUncommitted = 0;
        long committed = 0;
        long deliveredAllAt = 0;
        while (committed < kafkaRecords && !forwarder.isTerminated()) {
          AepKafkaMetrics m = forwarder.metrics();
          committed = m.committedOffsets().values().stream().mapToLong(Long::longValue).sum();
          maxUncommitted = Math.max(maxUncommitted, m.recordsDelivered() - committed);
          if (deliveredAllAt == 0 && m.recordsDelivered() >= kafkaRecords) {
            deliveredAllAt = System.nanoTime();
          }
          Thread.sleep(20); // sampling period of the lag figures
        }
        long end = System.nanoTime();
        forwarder.close();
        if (committed < kafkaRecords) {
          throw new IllegalStateException("the forwarder did not finish: " + forwarder.failure());
        }
        AepClientMetrics c = client.metrics();
        add(new Result("Kafka end to end: topic (6 partitions) -> AepKafkaForwarder -> simulator", kafkaRecords,
            (end - start) / 1e9, c.latencyP50(), c.latencyP99(), HeapWatcher.peakBytes(),
            String.format("commit lag: at most %,d records delivered but not yet committed; last commit %d ms after"
                + " the last delivery", maxUncommitted, deliveredAllAt == 0 ? 0 : (end - deliveredAllAt) / 1_000_000)));
      }
    }
  }

  /**
   * The core client alone and the Kafka forwarder, both with default settings, against a simulator that holds every
   * request for a round trip of L ms; same events, same record count. By default the broker and the simulators run
   * in JVMs of their own on half of the CPUs and this JVM on the other half ({@link LatencyServices#pinned()}), so the
   * process CPU reported is the client's own; with {@code --latency-services shared} they share this JVM, and its
   * CPU covers them too. The note splits it by thread family ({@link CpuSplit}). Warm-up rounds of both paths at
   * 0 ms (not reported) come first, until the JIT settles or {@code --latency-warmup-rounds} are done, and the sweep
   * runs {@code --latency-repeats} times, the core client first in odd runs and the forwarder first in even ones. Both
   * legs are timed from their start until everything is delivered (core) or committed (forwarder); each pair's ratio
   * and the median are printed, and the same without the forwarder's start-up (joining the group, the first fetch).
   */
  private void kafkaAtLatency() throws Exception {
    if (!latencyThrottle.isEmpty() && (latencyThrottle.size() != 2 || latencyThrottle.get(0) <= 0
        || latencyThrottle.get(1) <= 0)) {
      throw new IllegalArgumentException("--latency-throttle takes requests/s,messages/s, both above 0");
    }
    int rps = latencyThrottle.isEmpty() ? 0 : latencyThrottle.get(0);
    int mps = latencyThrottle.isEmpty() ? 0 : latencyThrottle.get(1);
    String notPinned = latencyServices == Placement.pinned ? LatencyServices.whyNotPinned() : null;
    Map<Integer, List<Double>> ratios = new LinkedHashMap<>();
    Map<Integer, List<Double>> steadyRatios = new LinkedHashMap<>();
    try (LatencyServices kafka = latencyServices == Placement.pinned && notPinned == null ? LatencyServices.pinned()
        : LatencyServices.shared()) {
      out.printf("- Kafka at latency: %s%s%n", kafka.describe(),
          notPinned == null ? "" : " (pinning not possible: " + notPinned + ")");
      if (rps > 0) {
        out.printf("- simulators throttled at %,d requests/s and %,d messages/s%n", rps, mps);
      }
      // One simulator per round trip for the whole sweep, warmed up before its first row: a simulator process starts
      // with its JIT cold, and the first row against it would measure that (a slow simulator also makes the client's
      // adaptive limit leave its slow start early). A throttled simulator is far from its CPU limit: no warm-up,
      // which would take minutes at AEP's rates.
      int warmRecords = Math.min(latencyWarmup, latencyRecords);
      Inlets.Warmup warmSimulator = rps > 0 || warmRecords == 0 ? sim -> { } : sim -> {
        for (int i = 0; i < 2; i++) {
          coreAtLatency(kafka, sim, warmRecords, 0, 0);
        }
      };
      Inlets inlets = new Inlets(kafka, rps, mps, warmSimulator);
      Inlets unthrottled = rps > 0 ? new Inlets(kafka, 0, 0, sim -> { }) : inlets;
      try (inlets; unthrottled) {
        sweep(kafka, inlets, unthrottled, ratios, steadyRatios);
      }
    }
    out.printf("%n| round trip | forwarder / core, each run | median | after the forwarder's first record polled |"
        + " median |%n|---:|---|---:|---|---:|%n");
    ratios.forEach((latencyMs, r) -> out.printf("| %d ms | %s | **%.2f** | %s | %.2f |%n", latencyMs, joined(r),
        median(r), joined(steadyRatios.get(latencyMs)), median(steadyRatios.get(latencyMs))));
  }

  private static String joined(List<Double> values) {
    return values.stream().map(x -> String.format("%.2f", x)).collect(java.util.stream.Collectors.joining(", "));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  /** Fills the topic, warms both paths up, then measures each round trip's pair {@code --latency-repeats} times. */
  private void sweep(LatencyServices kafka, Inlets inlets, Inlets unthrottled, Map<Integer, List<Double>> ratios,
      Map<Integer, List<Double>> steadyRatios) throws Exception {
    String topic = "latency-events";
    kafka.createTopic(topic, 6);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < latencyRecords; i++) {
        var unused = producer.send(new ProducerRecord<>(topic, values[i & (values.length - 1)]));
      }
    }
    int run = 0;
    if (latencyWarmup > 0) {
      // Rounds of both paths until the JIT compiler settles (less than 2 % of a round's time spent compiling): on
      // two cores C2 is still compiling the consumer and the client (and the broker, when shared) after one round,
      // and a row would measure the compiler and code not yet compiled (the forwarder's path, with more code, the
      // more).
      java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
      int rounds = 0;
      boolean settled = false;
      while (rounds < latencyWarmupRounds && !settled) {
        long compiled = jit.getTotalCompilationTime();
        long start = System.nanoTime();
        LatencyServices.Inlet sim = unthrottled.inlet(0);
        coreAtLatency(kafka, sim, Math.min(latencyWarmup, latencyRecords), 0, 0);
        forwarderAtLatency(kafka, sim, topic, "latency-warmup-" + rounds, Math.min(latencyWarmup, latencyRecords),
            0, 0);
        rounds++;
        settled = jit.getTotalCompilationTime() - compiled < 0.02 * (System.nanoTime() - start) / 1e6;
      }
      out.printf("- warm-up: %d rounds of %,d records through both paths; %s%n", rounds,
          Math.min(latencyWarmup, latencyRecords), settled ? "the JIT settled"
              : "the JIT had not settled after the most rounds allowed (--latency-warmup-rounds)");
    }
    for (int repeat = 1; repeat <= latencyRepeats; repeat++) {
      for (int latencyMs : latencies) {
        // Odd runs measure the core client first, even runs the forwarder: neither always meets the simulator, the
        // heap or the JIT as the other left them. A throttled simulator is started afresh for each leg, so both
        // start with full token buckets.
        boolean coreFirst = repeat % 2 == 1;
        Leg first = coreFirst ? coreAtLatency(kafka, inlets.inlet(latencyMs), latencyRecords, latencyMs, repeat)
            : forwarderAtLatency(kafka, inlets.inlet(latencyMs), topic, "latency-" + run++, latencyRecords,
                latencyMs, repeat);
        inlets.renewIfThrottled(latencyMs);
        Leg second = coreFirst ? forwarderAtLatency(kafka, inlets.inlet(latencyMs), topic, "latency-" + run++,
            latencyRecords, latencyMs, repeat)
            : coreAtLatency(kafka, inlets.inlet(latencyMs), latencyRecords, latencyMs, repeat);
        inlets.renewIfThrottled(latencyMs);
        Leg core = coreFirst ? first : second;
        Leg forwarder = coreFirst ? second : first;
        add(core.row().apply(forwarder.secs()));
        add(forwarder.row().apply(core.secs()));
        ratios.computeIfAbsent(latencyMs, k -> new ArrayList<>()).add(core.secs() / forwarder.secs());
        steadyRatios.computeIfAbsent(latencyMs, k -> new ArrayList<>())
            .add(core.secs() / (forwarder.secs() - forwarder.startupSecs()));
      }
    }
  }

  /** The sweep's simulators, one per round trip, each warmed up once when it starts. */
  private static final class Inlets implements AutoCloseable {
    interface Warmup {
      void accept(LatencyServices.Inlet inlet) throws Exception;
    }

    private final LatencyServices services;
    private final int requestsPerSecond;
    private final int messagesPerSecond;
    private final Warmup warmup;
    private final Map<Integer, LatencyServices.Inlet> byLatency = new LinkedHashMap<>();

    Inlets(LatencyServices services, int requestsPerSecond, int messagesPerSecond, Warmup warmup) {
      this.services = services;
      this.requestsPerSecond = requestsPerSecond;
      this.messagesPerSecond = messagesPerSecond;
      this.warmup = warmup;
    }

    LatencyServices.Inlet inlet(int latencyMs) throws Exception {
      LatencyServices.Inlet inlet = byLatency.get(latencyMs);
      if (inlet == null) {
        inlet = services.simulator(latencyMs, requestsPerSecond, messagesPerSecond);
        byLatency.put(latencyMs, inlet);
        warmup.accept(inlet);
      }
      return inlet;
    }

    /** A throttled simulator is replaced after each leg, so that the next leg too starts with full buckets. */
    void renewIfThrottled(int latencyMs) throws Exception {
      if (requestsPerSecond > 0) {
        LatencyServices.Inlet inlet = byLatency.remove(latencyMs);
        if (inlet != null) {
          inlet.close();
        }
      }
    }

    /** Closes every simulator, even when one fails to close; the first failure is thrown after. */
    @Override
    public void close() throws Exception {
      Exception first = null;
      for (LatencyServices.Inlet inlet : byLatency.values()) {
        try {
          inlet.close();
        } catch (Exception e) {
          first = first == null ? e : first;
        }
      }
      byLatency.clear();
      if (first != null) {
        throw first;
      }
    }
  }

  /**
   * One leg of a pair: its time, the part of it before the first record was polled (the forwarder's group join and
   * first fetch, which a long-running forwarder pays once; seen by sampling every 10 ms, so up to 10 ms late; 0 for
   * the core client), and its report row, finished once the other leg's time is known.
   */
  private record Leg(double secs, double startupSecs, java.util.function.DoubleFunction<Result> row) {}

  /**
   * What a leg used: this JVM's CPU per record and its share of this JVM's CPUs, and (pinned) the broker's and
   * simulators' CPU per record and their share of their CPUs.
   */
  private static String usage(LatencyServices kafka, CpuSplit cpu, long servicesStart, int records, double secs) {
    double clientBusy = cpu.processMicros(records) * records / 1e6 / secs / kafka.clientCpus();
    String client = String.format("%.1f µs CPU/record, %.0f%% of %d CPU", cpu.processMicros(records),
        100 * clientBusy, kafka.clientCpus());
    if (servicesStart < 0) {
      return client + " (broker and simulator included)";
    }
    double services = (kafka.servicesCpuNanos() - servicesStart) / 1e3 / records;
    return String.format("%s; broker and simulator %.1f µs/record, %.0f%% of %d CPU", client, services,
        100 * services * records / 1e6 / secs / kafka.serviceCpus(), kafka.serviceCpus());
  }

  /** Sends {@code records} events with the core client alone; timed until every message is delivered. */
  private Leg coreAtLatency(LatencyServices kafka, LatencyServices.Inlet sim, int records, int latencyMs, int repeat)
      throws Exception {
    gc();
    long servicesStart = kafka.servicesCpuNanos();
    CpuSplit cpu = CpuSplit.start();
    long start = System.nanoTime();
    AepClientMetrics metrics;
    String split;
    String usage;
    double secs;
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.url()).build()) {
      for (int i = 0; i < records; i++) {
        var unused = client.send(message(i));
      }
      client.flush();
      secs = (System.nanoTime() - start) / 1e9; // stopped where the forwarder's is: everything delivered
      metrics = client.metrics();
      split = cpu.split(records); // before close: the client's threads are still alive
      usage = usage(kafka, cpu, servicesStart, records, secs);
    }
    AepClientMetrics m = metrics;
    return new Leg(secs, 0, forwarderSecs -> new Result(String.format("at %d ms (run %d): core client, send() from 1"
        + " thread, defaults", latencyMs, repeat), records, secs, m.latencyP50(), m.latencyP99(),
        HeapWatcher.peakBytes(), String.format("%s (%s); %,d requests, %,d answered 429/503; in-flight limit at end"
            + " %d", usage, split, m.requests(), m.throttledRequests(), m.inFlightLimit())));
  }

  /** Forwards {@code records} records from the topic with a fresh group; timed until all are committed. */
  private Leg forwarderAtLatency(LatencyServices kafka, LatencyServices.Inlet sim, String topic, String group,
      int records, int latencyMs, int repeat) throws Exception {
    gc();
    Properties consumerProps = kafka.consumerProperties(group);
    consumerProps.putAll(latencyConsumer);
    long servicesStart = kafka.servicesCpuNanos();
    CpuSplit cpu = CpuSplit.start();
    long start = System.nanoTime();
    try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(sim.url()).build()) {
      AepKafkaForwarder.Builder<byte[], byte[]> builder = AepKafkaForwarder.builder(consumerProps,
          new ByteArrayDeserializer(), new ByteArrayDeserializer(), client).topics(topic);
      if (latencyWindow > 0) {
        builder.maxUnsettled(latencyWindow, 64L << 20).maxUnsettledPerPartition(latencyWindow, 64L << 20);
      }
      AepKafkaForwarder<byte[], byte[]> forwarder = builder.build().start();
      long committed = 0;
      long pausedSamples = 0;
      long samples = 0;
      long maxUnsettled = 0;
      int maxInFlight = 0;
      long firstPolledNanos = 0; // joining the group and the first fetch: a cost a long-running forwarder pays once
      String split = "";
      String usage = "";
      double secs = 0;
      while (committed < records && !forwarder.isTerminated()) {
        AepKafkaMetrics m = forwarder.metrics();
        committed = m.committedOffsets().values().stream().mapToLong(Long::longValue).sum();
        samples++;
        if (firstPolledNanos == 0 && m.recordsPolled() > 0) {
          firstPolledNanos = System.nanoTime();
        }
        pausedSamples += m.pausedPartitions().isEmpty() ? 0 : 1;
        maxUnsettled = Math.max(maxUnsettled, m.unsettledRecords());
        maxInFlight = Math.max(maxInFlight, m.client().inFlightRequests());
        if (committed >= records) {
          secs = (System.nanoTime() - start) / 1e9;
          split = cpu.split(records); // before close: the forwarder's and client's threads are still alive
          usage = usage(kafka, cpu, servicesStart, records, secs);
          break;
        }
        Thread.sleep(10); // sampling period of the progress figures (metrics() is not free)
      }
      forwarder.close();
      if (committed < records) {
        throw new IllegalStateException("the forwarder did not finish: " + forwarder.failure());
      }
      AepClientMetrics c = client.metrics();
      double startup = (firstPolledNanos - start) / 1e9;
      String note = String.format("%s (%s); %,d requests, %,d answered 429/503; at most %,d unsettled records and %d"
          + " requests in flight; paused in %d%% of samples; first record polled after %d ms", usage, split,
          c.requests(), c.throttledRequests(), maxUnsettled, maxInFlight,
          samples == 0 ? 0 : pausedSamples * 100 / samples, Math.round(startup * 1000));
      double s = secs;
      return new Leg(secs, startup, coreSecs -> new Result(String.format("at %d ms (run %d): Kafka (6 partitions) ->"
          + " AepKafkaForwarder, defaults", latencyMs, repeat), records, s, c.latencyP50(), c.latencyP99(),
          HeapWatcher.peakBytes(), String.format("**%.2f x core** (%.2f after the first record polled); %s",
              coreSecs / s, coreSecs / (s - startup), note)));
    }
  }

  /**
   * Process CPU over a run, split by thread family: the JVM's Java threads by name (digits folded), and on Linux its
   * own threads from {@code /proc/self/task} as GC and JIT; "other" is the rest (other VM threads, threads that ended
   * meanwhile).
   */
  private static final class CpuSplit {
    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final java.lang.management.ThreadMXBean THREADS =
        java.lang.management.ManagementFactory.getThreadMXBean();
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux
    private final long processStart = OS.getProcessCpuTime();
    private final Map<Long, Long> threadStart = new java.util.HashMap<>();
    private final Map<String, Long> vmStart = vmThreadNanos();

    static CpuSplit start() {
      CpuSplit s = new CpuSplit();
      for (long id : THREADS.getAllThreadIds()) {
        s.threadStart.put(id, Math.max(0, THREADS.getThreadCpuTime(id)));
      }
      return s;
    }

    double processMicros(int records) {
      return (OS.getProcessCpuTime() - processStart) / 1e3 / records;
    }

    /** µs per record of each family using at least 0.2, busiest first; call while the run's threads still live. */
    String split(int records) {
      long process = OS.getProcessCpuTime() - processStart;
      Map<String, Long> byFamily = new java.util.HashMap<>();
      for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (info != null) {
          long used = THREADS.getThreadCpuTime(info.getThreadId())
              - threadStart.getOrDefault(info.getThreadId(), 0L);
          byFamily.merge(info.getThreadName().replaceAll("[0-9]+", "N"), Math.max(0, used), Long::sum);
        }
      }
      vmThreadNanos().forEach((family, nanos) ->
          byFamily.merge(family, Math.max(0, nanos - vmStart.getOrDefault(family, 0L)), Long::sum));
      long counted = byFamily.values().stream().mapToLong(Long::longValue).sum();
      byFamily.merge("other", Math.max(0, process - counted), Long::sum);
      StringBuilder b = new StringBuilder();
      byFamily.entrySet().stream().filter(e -> e.getValue() / 1e3 / records >= 0.2)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
              .append(String.format("%.1f", e.getValue() / 1e3 / records)));
      return b.toString();
    }

    /** CPU of the JVM's own (non-Java) threads: GC, JIT, other VM; empty where /proc is not there. */
    private static Map<String, Long> vmThreadNanos() {
      Map<String, Long> out = new java.util.HashMap<>();
      java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
      if (tasks == null) {
        return out;
      }
      for (java.io.File task : tasks) {
        try {
          String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
          String family = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "GC"
              : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "JIT"
              : comm.startsWith("VM ") ? "VM" : null;
          if (family == null) {
            continue; // a Java thread (counted by name above) or a minor VM thread
          }
          String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
          out.merge(family, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile: its CPU lands in "other"
        }
      }
      return out;
    }
  }

  private void memory() throws Exception {
    long buffer = 64L << 20;
    try (AepSimulator stalled = AepSimulator.builder().countingMode(true).threads(16).start()) {
      stalled.enqueueFaults(16, Fault.delay(Duration.ofMinutes(10)));
      gc();
      long failedFast = 0;
      long acceptedFail = 0;
      long start = System.nanoTime();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(stalled.inletUrl())
          .maxBufferedBytes(buffer).whenBufferFull(BufferFullPolicy.FAIL).requestTimeout(Duration.ofMinutes(10))
          .deliveryTimeout(Duration.ofMinutes(11)).build()) {
        for (long i = 0; i < memoryMessages; i++) {
          CompletableFuture<Delivery> f = client.send(message(i));
          if (f.isCompletedExceptionally()) {
            failedFast++;
          } else {
            acceptedFail++;
          }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long peak = HeapWatcher.peakBytes();
        System.gc();
        long retained = usedHeap();
        long buffered = client.metrics().bufferedBytes();

        // BLOCK: each further send waits maxBlock, then fails with AepBufferFullException.
        long blockedWaitNanos = 0;
        int blockedSends = 20;
        int blockedFailures = 0;
        AepStreamingClient blocking = AepStreamingClient.builder().inletUrl(stalled.inletUrl())
            .maxBufferedBytes(1 << 20).maxBlock(Duration.ofMillis(100)).requestTimeout(Duration.ofMinutes(10))
            .deliveryTimeout(Duration.ofMinutes(11)).build();
        while (blocking.trySend(message(0)).isPresent()) {
          // fill the buffer
        }
        for (int i = 0; i < blockedSends; i++) {
          long t = System.nanoTime();
          CompletableFuture<Delivery> f = blocking.send(message(i));
          blockedWaitNanos += System.nanoTime() - t;
          if (f.isCompletedExceptionally() && f.handle((d, e) -> e).join() instanceof AepBufferFullException) {
            blockedFailures++;
          }
        }
        blocking.close(Duration.ZERO); // AEP is stalled: fail what is buffered rather than wait
        add(new Result("memory: " + String.format("%,d", memoryMessages) + " messages offered to a stalled AEP, FAIL,"
            + " 64 MB buffer", memoryMessages, secs, null, null, peak, String.format("%,d buffered (%,d MB), %,d failed"
                + " at once with AepBufferFullException; heap after GC with the buffer full: %,d MB (limit buffer +"
                + " 128 MB = %,d MB); BLOCK: %d/%d sends waited %.0f ms on average (maxBlock 100 ms) then failed",
            acceptedFail, buffered >> 20, failedFast, retained >> 20, (buffer >> 20) + 128, blockedFailures,
            blockedSends, blockedWaitNanos / 1e6 / blockedSends)));
        stalled.clearFaults();
        client.close(Duration.ZERO);
      }
    }
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private void add(Result r) {
    results.put(r.name(), r);
    out.printf("- %s: %,.0f messages/s%s (%,d in %.2f s)%n", r.name(), r.rate(),
        r.p50() == null ? "" : String.format(", p50 %.1f ms, p99 %.1f ms", r.p50().toNanos() / 1e6,
            r.p99().toNanos() / 1e6), r.messages(), r.seconds());
  }

  private Result find(String prefix) {
    return results.values().stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElse(null);
  }

  private void report() {
    out.printf("%n| scenario | messages/s | p50 ms | p99 ms | peak heap MB | note |%n|---|---:|---:|---:|---:|---|%n");
    for (Result r : results.values()) {
      out.printf("| %s | %,.0f | %s | %s | %,d | %s |%n", r.name(), r.rate(), ms(r.p50()), ms(r.p99()),
          r.peakHeapBytes() >> 20, r.note());
    }
    Result client = find("aep-client: AepMessage.of");
    Result prebuilt = find("aep-client: send() of pre-built");
    out.printf("%n| ratio | measured | target |%n|---|---:|---:|%n");
    ratio("aep-client (pre-built messages) / raw ceiling", prebuilt, find("raw ceiling"), ">= 0.8");
    ratio("aep-client (with AepMessage.of) / raw ceiling", client, find("raw ceiling"), ">= 0.8");
    ratio("aep-client / per-message loop", client, find("per-message loop"), ">= 20");
    ratio("aep-client / connector-style", client, find("connector-style"), ">= 5");
    if (client != null) {
      out.printf("| aep-client messages/s | %,.0f | >= 300,000 |%n", client.rate());
    }
    Result kafka = find("Kafka end to end");
    if (kafka != null) {
      out.printf("| Kafka end to end records/s | %,.0f | >= 100,000 |%n", kafka.rate());
    }
    Result paced = find("aep-client at 10,000");
    if (paced != null) {
      out.printf("| p50 at 10,000 messages/s | %s ms | <= 20 ms |%n", ms(paced.p50()));
    }
  }

  private void ratio(String name, Result a, Result b, String target) {
    if (a != null && b != null) {
      out.printf("| %s | %.2f | %s |%n", name, a.rate() / b.rate(), target);
    }
  }

  private static String ms(Duration d) {
    return d == null ? "" : String.format("%.1f", d.toNanos() / 1e6);
  }
}
