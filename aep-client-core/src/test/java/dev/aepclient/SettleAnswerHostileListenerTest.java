package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review of {@code Outcomes.settleAnswer}: an answer's messages are all claimed, and their budget released, before
 * any listener runs. A listener that misbehaves in the middle of that must leave no claimed message pending, and a
 * listener that sends again must not push the buffer past its budget.
 */
class SettleAnswerHostileListenerTest extends WireMockTest {

  @BeforeEach
  void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  /** An exception that cannot describe itself: logging it (toString, printStackTrace) throws. */
  private static final class UnprintableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new IllegalStateException("this exception cannot describe itself");
    }
  }

  @Test
  void listenerThrowingAnExceptionThatCannotBeLogged_stillCompletesEveryFutureOfTheAnswer() {
    DeliveryListener hostile = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        throw new UnprintableException();
      }
    };
    AepStreamingClient client = build(builder().deliveryListener(hostile).maxBatchRecords(3)
        .linger(Duration.ofSeconds(5)));
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(client.send(message(i))); // one batch of three: one answer, settled in one step
    }

    for (CompletableFuture<Delivery> future : futures) {
      assertThat(value(future).xactionId()).startsWith("x-");
    }
    assertThat(client.metrics().bufferedMessages()).isZero();
    assertThat(client.metrics().bufferedBytes()).isZero();
  }

  @Test
  void sendFromAListenerWhileAnAnswerSettles_neverTakesMoreThanTheBudget() {
    long budget = 4096;
    AtomicLong mostUsed = new AtomicLong();
    AtomicLong leastUsed = new AtomicLong();
    List<CompletableFuture<Delivery>> resent = new CopyOnWriteArrayList<>();
    AepStreamingClient[] holder = new AepStreamingClient[1];
    DeliveryListener resending = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        // The answer's whole budget is already back: each listener call sends another message of the same size.
        if (!message.json().contains("again")) {
          resent.add(holder[0].send(AepMessage.of(message.json().replace("{\"id\"", "{\"again\":1,\"id\""))));
        }
        long used = holder[0].metrics().bufferedBytes();
        mostUsed.accumulateAndGet(used, Math::max);
        leastUsed.accumulateAndGet(used, Math::min); // below zero: some bytes were released twice
      }
    };
    AepStreamingClient client = build(builder().deliveryListener(resending).maxRequestBytes(1024)
        .maxBatchBytes(1024).maxBufferedBytes(budget).maxBatchRecords(8).linger(Duration.ofMillis(20)));
    holder[0] = client;
    List<CompletableFuture<Delivery>> first = new ArrayList<>();
    String padding = "p".repeat(300);
    for (int i = 0; i < 8; i++) {
      first.add(client.send(AepMessage.of("{\"id\":\"" + i + "\",\"pad\":\"" + padding + "\"}")));
    }

    for (CompletableFuture<Delivery> future : first) {
      value(future);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> resent.size() == first.size()
        && resent.stream().allMatch(CompletableFuture::isDone));
    assertThat(mostUsed.get()).isLessThanOrEqualTo(budget);
    assertThat(leastUsed.get()).isNotNegative();
    await().atMost(Duration.ofSeconds(20)).until(() -> client.metrics().bufferedBytes() == 0);
    // A resend either went out or was refused at once as buffer full (a callback never waits): none is pending.
    for (CompletableFuture<Delivery> future : resent) {
      assertThat(future).isDone();
    }
  }

  @Test
  void httpProtocolNull_failsFastNamingTheSettingAndKey() {
    assertThatThrownBy(() -> AepStreamingClient.builder().httpProtocol(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("httpProtocol")
        .hasMessageContaining("aep.http.protocol");
  }

  @Test
  void whenBufferFullNull_failsFastNamingTheSetting() {
    assertThatThrownBy(() -> AepStreamingClient.builder().whenBufferFull(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("whenBufferFull");
  }
}
