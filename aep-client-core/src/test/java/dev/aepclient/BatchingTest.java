package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How messages are grouped into requests: by count, by wire bytes (UTF-8, frame included), by linger. */
class BatchingTest extends WireMockTest {
  /** <code>{"messages":[</code> and <code>]}</code>. */
  private static final int FRAME = 15;

  @BeforeEach
  void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  /** A message of exactly {@code bytes} UTF-8 bytes, padded with two-byte characters. */
  private static AepMessage messageOfBytes(int id, int bytes) {
    String prefix = "{\"id\":\"" + id + "\",\"p\":\"";
    String suffix = "\"}";
    int pad = bytes - prefix.length() - suffix.length();
    String padding = "é".repeat(pad / 2) + "x".repeat(pad % 2);
    AepMessage m = AepMessage.of(prefix + padding + suffix);
    assertThat(m.sizeInBytes()).isEqualTo(bytes);
    return m;
  }

  @Test
  void closesABatchAtMaxBatchRecords() {
    AepStreamingClient client = build(builder().maxBatchRecords(10).linger(Duration.ofSeconds(15)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      futures.add(client.send(message(i)));
    }
    client.flush();

    futures.forEach(f -> value(f));
    assertThat(ANSWERER.largestBatch()).isEqualTo(10);
    assertThat(wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH)))).hasSize(4);
    assertThat(client.metrics().batches()).isEqualTo(4);
  }

  @Test
  void closesABatchAtMaxBatchBytes_countingMultiByteUtf8OnTheWire() {
    AepStreamingClient client = build(builder().linger(Duration.ofSeconds(15)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      futures.add(client.send(messageOfBytes(i, 199_990))); // 5 fit in 1,000,000 with frame and commas
    }
    client.flush();

    futures.forEach(f -> value(f));
    List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH)));
    assertThat(requests).allSatisfy(r -> assertThat(r.getBody().length).isLessThanOrEqualTo(1_000_000));
    assertThat(requests).extracting(r -> r.getBody().length)
        .containsExactlyInAnyOrder(FRAME + 5 * 199_990 + 4, FRAME + 5 * 199_990 + 4, FRAME + 2 * 199_990 + 1);
    assertThat(ANSWERER.accepted()).hasSize(12);
  }

  @Test
  void aMessageFillingAWholeRequestIsSent_oneByteMoreIsRefusedAtSend() {
    AepStreamingClient client = build(builder());
    AepMessage largest = messageOfBytes(1, 1_000_000 - FRAME);

    value(client.send(largest));
    assertThat(ANSWERER.largestBody()).isEqualTo(1_000_000);
    assertThatThrownBy(() -> client.send(messageOfBytes(2, 1_000_000 - FRAME + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("999986 bytes", "1000000", "413");
    assertThat(client.metrics().messagesSent()).isEqualTo(1);
  }

  @Test
  void lingerSendsAPartialBatchWithoutFlush() {
    AepStreamingClient client = build(builder().linger(Duration.ofMillis(100)));
    List<CompletableFuture<Delivery>> futures = List.of(client.send(message(1)), client.send(message(2)),
        client.send(message(3)));

    futures.forEach(f -> value(f));
    assertThat(wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH)))).hasSize(1);
    assertThat(ANSWERER.largestBatch()).isEqualTo(3);
  }

  @Test
  void bodyIsTheMessagesBytesConcatenatedInOrder() {
    AepStreamingClient client = build(builder().linger(Duration.ofSeconds(15)));
    AepMessage a = AepMessage.of("{ \"id\" : \"a\" }");
    AepMessage b = AepMessage.of("{\"id\":\"b\",\"t\":\"✓\"}");
    var unusedA = client.send(a);
    var unusedB = client.send(b);
    client.flush();

    LoggedRequest request = wm.findAll(postRequestedFor(urlPathEqualTo(BATCH_PATH))).get(0);
    assertThat(new String(request.getBody(), StandardCharsets.UTF_8))
        .isEqualTo("{\"messages\":[{ \"id\" : \"a\" },{\"id\":\"b\",\"t\":\"✓\"}]}");
    assertThat(request.getHeader("Content-Type")).startsWith("application/json");
  }

  @Test
  void gzipCompressesTheBodyWhenAskedTo() {
    AepStreamingClient client = build(builder().gzip(true));

    value(client.send(message(1)));
    wm.verify(postRequestedFor(urlPathEqualTo(BATCH_PATH)).withHeader("Content-Encoding", equalTo("gzip")));
    assertThat(ANSWERER.accepted()).containsKey("1");
  }

  @Test
  void neverMoreThanMaxInFlightRequests() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withStatus(207).withFixedDelay(300)
        .withBody("{\"responses\":[{\"xactionId\":\"x\"}]}")));
    AepStreamingClient client = build(builder().maxBatchRecords(1).maxInFlightRequests(2));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      futures.add(client.send(message(i)));
    }
    int most = 0;
    while (!futures.stream().allMatch(CompletableFuture::isDone)) {
      most = Math.max(most, client.metrics().inFlightRequests());
      Thread.onSpinWait();
    }
    futures.forEach(f -> value(f));
    assertThat(most).isEqualTo(2);
  }
}
