package dev.aepclient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.support.BatchAnswerer;
import dev.aepclient.support.WireMockTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads, many messages: every future completes exactly once, and AEP receives every accepted message. */
class ConcurrencyTest extends WireMockTest {
  private static final int THREADS = 16;
  private static final int PER_THREAD = 6_250; // 100,000 in all

  @Test
  void sixteenThreadsSendOneHundredThousandMessages() throws Exception {
    wm.stubFor(post(urlPathEqualTo(BATCH_PATH)).willReturn(aResponse().withTransformers(BatchAnswerer.NAME)));
    ConcurrentHashMap<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    AtomicInteger listenerCalls = new AtomicInteger();
    AepStreamingClient client = build(builder().maxBufferedBytes(4L << 20).deliveryListener(new DeliveryListener() {
      @Override
      public void onDelivered(AepMessage message, Delivery delivery) {
        listenerCalls.incrementAndGet();
      }

      @Override
      public void onRejected(AepMessage message, AepRejectedException rejection) {
        listenerCalls.incrementAndGet();
      }
    }));
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<List<CompletableFuture<Delivery>>>> senders = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      senders.add(pool.submit(() -> {
        List<CompletableFuture<Delivery>> futures = new ArrayList<>(PER_THREAD);
        for (int i = 0; i < PER_THREAD; i++) {
          int id = thread * PER_THREAD + i;
          CompletableFuture<Delivery> f = client.send(id % 100 == 7 ? badMessage(id) : message(id));
          var unused = f.whenComplete((d, e) -> outcomes.computeIfAbsent(String.valueOf(id), k -> new AtomicInteger())
              .incrementAndGet());
          futures.add(f);
        }
        return futures;
      }));
    }
    List<CompletableFuture<Delivery>> all = new ArrayList<>();
    for (Future<List<CompletableFuture<Delivery>>> sender : senders) {
      all.addAll(sender.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(client.flush(Duration.ofMinutes(2))).isTrue();

    int total = THREADS * PER_THREAD;
    assertThat(all).hasSize(total).allMatch(CompletableFuture::isDone);
    long rejected = all.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    assertThat(rejected).isEqualTo(total / 100);
    assertThat(outcomes).hasSize(total);
    assertThat(outcomes.values()).allSatisfy(count -> assertThat(count).hasValue(1));
    assertThat(listenerCalls).hasValue(total);
    assertThat(ANSWERER.accepted()).hasSize(total - (int) rejected);
    assertThat(ANSWERER.accepted().values()).allSatisfy(count -> assertThat(count).hasValue(1));
    AepClientMetrics m = client.metrics();
    assertThat(m.messagesDelivered()).isEqualTo(total - rejected);
    assertThat(m.messagesRejected()).isEqualTo(rejected);
    assertThat(m.bufferedBytes()).isZero();
    assertThat(m.latencyP99()).isPositive();
  }
}
