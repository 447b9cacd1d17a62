package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepAuth;
import dev.aepclient.AepClientMetrics;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault soak: 8 sender threads, about 3,500 messages/s for {@code soak.seconds} (60 by default), against a
 * simulator that throws every fault it knows at the client, an IMS outage of 10 s and token expiry included. Every
 * message must end exactly once, delivered + rejected + failed = sent, and every delivered id be on the simulator.
 */
@Tag("reliability")
class FaultSoakTest {
  private static final int THREADS = 8;
  private static final int RATE = 3_500;

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void everyMessageIsAccountedForThroughEveryFault() throws Exception {
    int seconds = Integer.getInteger("soak.seconds", 60);
    Map<Fault, Double> mix = new LinkedHashMap<>();
    mix.put(Fault.throttle(1), 0.003);
    mix.put(Fault.status(500), 0.01);
    mix.put(Fault.status(502), 0.01);
    mix.put(Fault.status(503), 0.01);
    mix.put(Fault.status(504), 0.01);
    mix.put(Fault.status(401), 0.003);
    mix.put(Fault.dropConnection(), 0.01);
    mix.put(Fault.delay(Duration.ofMillis(1500)), 0.005); // beyond the request timeout: a timeout, then a retry
    mix.put(Fault.missingResponses(), 0.01);
    mix.put(Fault.expireTokens(), 0.002);

    try (AepSimulator aep = AepSimulator.builder().idPointer("/id").authenticatedInlet("inlet-1")
        .oauthCredential("soak-client", "soak-secret").threads(32).start()) {
      aep.rejectWhen(m -> m.path("bad").asBoolean(false), 400, "XDM header missing");
      aep.randomFaults(20261125, mix);
      Map<Long, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      LongAdder delivered = new LongAdder();
      LongAdder rejected = new LongAdder();
      LongAdder failed = new LongAdder();
      Map<AepDeliveryException.Reason, LongAdder> failedBy = new ConcurrentHashMap<>();
      LongAdder badSent = new LongAdder();
      List<Long> deliveredIds = java.util.Collections.synchronizedList(new ArrayList<>());

      AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
          .auth(AepAuth.oauth("soak-client", "soak-secret", "ORG@AdobeOrg"))
          .requestTimeout(Duration.ofSeconds(1)).retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(2))
          .deliveryTimeout(Duration.ofMinutes(2)).build();
      ExecutorService senders = Executors.newFixedThreadPool(THREADS);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long outageAt = start + TimeUnit.SECONDS.toNanos(Math.min(20, seconds / 3));
      List<Future<Long>> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long thread = t;
        threads.add(senders.submit(() -> {
          long sent = 0;
          long intervalNanos = TimeUnit.SECONDS.toNanos(1) * THREADS / RATE;
          long next = System.nanoTime();
          for (long i = 0; System.nanoTime() < end; i++) {
            long id = i * THREADS + thread;
            boolean bad = id % 997 == 0;
            if (bad) {
              badSent.increment();
            }
            var unused = client.send(AepMessage.of("{\"id\":\"" + id + "\"" + (bad ? ",\"bad\":true" : "")
                    + ",\"body\":{\"n\":" + id + "}}"))
                .whenComplete((d, e) -> {
                  outcomes.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                  if (e == null) {
                    delivered.increment();
                    deliveredIds.add(id);
                  } else if (e instanceof AepRejectedException) {
                    rejected.increment();
                  } else if (e instanceof AepDeliveryException failure) {
                    failed.increment();
                    failedBy.computeIfAbsent(failure.reason(), k -> new LongAdder()).increment();
                  }
                });
            sent++;
            next += intervalNanos;
            LockSupport.parkNanos(next - System.nanoTime()); // the load's pace, not a wait for a result
          }
          return sent;
        }));
      }
      // The IMS outage: every token expires and IMS answers 503 for 10 s.
      while (System.nanoTime() < outageAt) {
        LockSupport.parkNanos(outageAt - System.nanoTime());
      }
      aep.imsOutage(Duration.ofSeconds(10));
      aep.expireTokensNow();
      long sent = 0;
      for (Future<Long> f : threads) {
        sent += f.get();
      }
      senders.shutdown();
      assertThat(client.flush(Duration.ofMinutes(5))).as("every message settled").isTrue();
      AepClientMetrics metrics = client.metrics();
      client.close();
      double elapsed = (System.nanoTime() - start) / 1e9;

      assertThat(sent).isGreaterThanOrEqualTo(200_000L * seconds / 60);
      assertThat(outcomes).as("every future completed").hasSize((int) sent);
      assertThat(outcomes.values()).as("no future completed twice").allSatisfy(n -> assertThat(n).hasValue(1));
      assertThat(delivered.sum() + rejected.sum() + failed.sum()).isEqualTo(sent);
      // The outage is shorter than the delivery timeout, so nothing times out. A request that meets a random 401 or
      // an expired token and then, with its fresh token, a second one, fails for authentication as the protocol
      // asks: that is the one failure the fault mix can cause, and it is accounted for like any other.
      assertThat(failedBy.keySet()).isSubsetOf(AepDeliveryException.Reason.AUTHENTICATION);
      assertThat(rejected.sum()).isEqualTo(badSent.sum());
      Map<String, Integer> accepted = aep.acceptedIds();
      synchronized (deliveredIds) {
        assertThat(deliveredIds).allSatisfy(id -> assertThat(accepted).containsKey(String.valueOf(id)));
      }
      assertThat(metrics.messagesSent()).isEqualTo(sent);
      assertThat(metrics.bufferedBytes()).isZero();
      Map<Integer, Long> statuses = aep.requestsByStatus();
      assertThat(statuses).containsKeys(0, 401, 403, 429, 500, 502, 503, 504);

      String report = String.format("fault soak: %,d messages in %.0f s from %d threads (%,.0f/s); delivered %,d,"
              + " rejected %,d, failed %s; %,d requests (%,d retried, %,d throttled); duplicates on the wire %,d;"
              + " answers by status %s; tokens issued %d%n", sent, elapsed, THREADS, sent / elapsed, delivered.sum(),
          rejected.sum(), failed.sum() + " " + failedBy, metrics.requests(), metrics.retriedRequests(), metrics.throttledRequests(),
          aep.duplicates(), statuses, aep.tokensIssued());
      System.out.print(report);
      Files.writeString(Path.of("target", "fault-soak.txt"), report);
    }
  }
}
