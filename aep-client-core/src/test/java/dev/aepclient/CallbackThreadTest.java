package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.aepclient.support.Futures.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defects 4 and 7: what callbacks may do on the client's own threads. flush/close there fail fast with
 * {@link IllegalStateException} (they would wait for the very thread); a throwing listener changes nothing.
 */
class CallbackThreadTest extends WireMockTest {

  @BeforeEach
  void answerBatches() {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
  }

  private static Throwable failureWithin10s(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void flushFromACompletionCallback_failsFastInsteadOfHanging() throws Exception {
    AepStreamingClient client = build(builder());
    CompletableFuture<Void> chained = client.send(message(1)).thenRun(client::flush);

    Throwable e = failureWithin10s(chained);
    assertThat(e).isInstanceOf(IllegalStateException.class).hasMessageContaining("flush()")
        .hasMessageContaining("own threads");
    assertThat(client.flush(Duration.ofSeconds(10))).isTrue(); // from the test thread it works
  }

  @Test
  void flushWithTimeoutFromACompletionCallback_failsFast() throws Exception {
    AepStreamingClient client = build(builder());
    CompletableFuture<Boolean> chained = client.send(message(1)).thenApply(d -> client.flush(Duration.ofSeconds(30)));

    long before = System.nanoTime();
    assertThat(failureWithin10s(chained)).isInstanceOf(IllegalStateException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void closeFromAListener_isRefused_andNoAcceptedMessageIsReportedClosed() throws Exception {
    List<Throwable> refusals = new CopyOnWriteArrayList<>();
    AepStreamingClient[] holder = new AepStreamingClient[1];
    DeliveryListener closing = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        try {
          holder[0].close();
        } catch (IllegalStateException e) {
          refusals.add(e);
        }
      }
    };
    AepStreamingClient client = build(builder().deliveryListener(closing).maxBatchRecords(5)
        .linger(Duration.ofSeconds(5)));
    holder[0] = client;
    List<CompletableFuture<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(client.send(message(i)));
    }

    long before = System.nanoTime();
    futures.forEach(f -> assertThat(value(f).xactionId()).startsWith("x-"));
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    assertThat(refusals).hasSize(5).allSatisfy(e -> assertThat(e).hasMessageContaining("close()"));
    // The client was not closed by those calls: it still delivers.
    assertThat(value(client.send(message(9))).xactionId()).startsWith("x-");
  }

  @Test
  void sendFromAListenerUnderBlock_neverWaitsForSpaceOnTheIoThread() throws Exception {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock
        .containing("slow")).willReturn(aResponse().withTransformers(BatchAnswerer.NAME).withFixedDelay(3_000)));
    AepMessage large = AepMessage.of("{\"id\":\"slow\",\"p\":\"" + "x".repeat(1500) + "\"}");
    CompletableFuture<CompletableFuture<Delivery>> sentFromListener = new CompletableFuture<>();
    AepStreamingClient[] holder = new AepStreamingClient[1];
    DeliveryListener sending = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        if (message.json().contains("trigger")) {
          sentFromListener.complete(holder[0].send(large)); // the buffer cannot take it while the first is out
        }
      }
    };
    AepStreamingClient client = build(builder().deliveryListener(sending).maxRequestBytes(2048).maxBatchBytes(2048)
        .maxBufferedBytes(2048).maxBatchRecords(1).maxInFlightRequests(2).maxBlock(Duration.ofSeconds(30)));
    holder[0] = client;
    CompletableFuture<Delivery> slow = client.send(large);
    long before = System.nanoTime();
    CompletableFuture<Delivery> trigger = client.send(AepMessage.of("{\"id\":\"trigger\"}"));

    assertThat(trigger.get(10, TimeUnit.SECONDS).xactionId()).startsWith("x-");
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
    Throwable refused = failureWithin10s(sentFromListener.get(1, TimeUnit.SECONDS));
    assertThat(refused).isInstanceOf(AepBufferFullException.class).hasMessageContaining("own threads");
    assertThat(value(slow).xactionId()).startsWith("x-");
  }

  @Test
  void listenerThrowingAnError_stillCompletesTheFuture() {
    DeliveryListener throwing = new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        throw new AssertionError("a listener's assertion");
      }

      @Override
      public void onRejected(AepMessage message, AepRejectedException rejection) {
        throw new StackOverflowError("deep");
      }
    };
    AepStreamingClient client = build(builder().deliveryListener(throwing).maxBatchRecords(3)
        .linger(Duration.ofSeconds(5)));
    CompletableFuture<Delivery> ok = client.send(message(1));
    CompletableFuture<Delivery> bad = client.send(badMessage(2));
    CompletableFuture<Delivery> ok2 = client.send(message(3));

    assertThat(value(ok).xactionId()).startsWith("x-");
    assertThat(dev.aepclient.support.Futures.failure(bad)).isInstanceOf(AepRejectedException.class);
    assertThat(value(ok2).xactionId()).startsWith("x-");
    assertThat(client.metrics().bufferedBytes()).isZero();
  }
}
