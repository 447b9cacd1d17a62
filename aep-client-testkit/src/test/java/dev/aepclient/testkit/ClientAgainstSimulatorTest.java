package dev.aepclient.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepAuth;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepRejectedException;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.auth.PrivateKeySource;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The core client end to end against the simulator: auth flows, TLS, and a faulty run with every message accounted for. */
class ClientAgainstSimulatorTest {

  private static AepMessage message(int id, boolean bad) {
    return AepMessage.of("{\"id\":\"" + id + "\"" + (bad ? ",\"bad\":true" : "") + ",\"body\":{\"n\":" + id + "}}");
  }

  @Test
  void twentyThousandMessagesThroughRandomFaults_everyOneAccountedForExactlyOnce() throws Exception {
    Map<Fault, Double> mix = new LinkedHashMap<>();
    mix.put(Fault.status(503), 0.05);
    mix.put(Fault.status(500), 0.02);
    mix.put(Fault.throttle(1), 0.02);
    mix.put(Fault.dropConnection(), 0.02);
    mix.put(Fault.missingResponses(), 0.02);
    mix.put(Fault.delay(Duration.ofMillis(1500)), 0.01);
    try (AepSimulator aep = AepSimulator.builder().idPointer("/id").authenticatedInlet("inlet-1")
        .oauthCredential("cid", "secret").start()) {
      aep.rejectWhen(m -> m.path("bad").asBoolean(false), 400, "XDM header missing");
      aep.randomFaults(7, mix);
      Map<Integer, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      List<CompletableFuture<Delivery>> futures = new ArrayList<>();
      // 20,000, not 50,000: profiled, 50,000 took 56 s, 52 s of it after the first 429; without the 429s, 4 s;
      // with only the 429s, more than 60 s. Each 429 pauses the whole client for its Retry-After (1 s, as the
      // protocol asks), and from the first one the client paces requests at 85 % of the rate AEP was accepting
      // (MessagePacer: ~1,600 msg/s here, measured in the first seconds); every later 429 (2 % of requests,
      // whatever the rate) cuts it again, so it never climbs back. Right for a real AEP, whose 429 means "over
      // quota"; a random 429 that ignores the rate holds the client at that pace.
      int total = 20_000;
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
          .auth(AepAuth.oauth("cid", "secret", "ORG@AdobeOrg")).maxBatchRecords(200)
          .requestTimeout(Duration.ofSeconds(1)).retryBackoff(Duration.ofMillis(20), Duration.ofMillis(500))
          .deliveryTimeout(Duration.ofSeconds(60)).build()) {
        for (int i = 0; i < total; i++) {
          int id = i;
          CompletableFuture<Delivery> f = client.send(message(id, id % 250 == 0));
          var unused = f.whenComplete((d, e) -> outcomes.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet());
          futures.add(f);
        }
        assertThat(client.flush(Duration.ofMinutes(2))).isTrue();
        var metrics = client.metrics();
        assertThat(metrics.messagesSent()).isEqualTo(total);
        assertThat(metrics.retriedRequests()).isPositive();
      }

      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
          .get(10, TimeUnit.SECONDS);
      assertThat(outcomes).hasSize(total);
      assertThat(outcomes.values()).allSatisfy(n -> assertThat(n).hasValue(1));
      int delivered = 0;
      int rejected = 0;
      for (int i = 0; i < total; i++) {
        CompletableFuture<Delivery> f = futures.get(i);
        if (i % 250 == 0) {
          assertThat(f).isCompletedExceptionally();
          assertThat(f.handle((d, e) -> e).get()).isInstanceOf(AepRejectedException.class);
          rejected++;
        } else {
          assertThat(f.get().xactionId()).isNotEmpty();
          assertThat(aep.timesAccepted(String.valueOf(i))).as("id %d", i).isGreaterThanOrEqualTo(1);
          delivered++;
        }
      }
      assertThat(delivered + rejected).isEqualTo(total);
      assertThat(aep.requestsByStatus()).containsKeys(503, 500, 429, 0);
      // Duplicates come only from requests the simulator accepted but whose answer the client never read.
      assertThat(aep.acceptedCount()).isEqualTo(delivered + aep.duplicates());
    }
  }

  @Test
  void jwtCredentialAgainstTheSimulatedIms() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1")
        .jwtCredential("cid", "secret", "ORG@AdobeOrg", "TECH@techacct.adobe.com", keys.getPublic()).start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
            .auth(AepAuth.jwt("cid", "secret", "ORG@AdobeOrg", "TECH@techacct.adobe.com",
                PrivateKeySource.fromDer(keys.getPrivate().getEncoded()))).build()) {
      assertThat(client.send(message(1, false)).get(10, TimeUnit.SECONDS).xactionId()).isNotEmpty();
      assertThat(aep.tokensIssued()).isEqualTo(1);
    }
  }

  @Test
  void shortLivedTokensAreRefreshedWithoutFailures() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").oauthCredential("cid", "secret")
        .tokenLifetime(Duration.ofSeconds(2)).start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
            .auth(AepAuth.oauth("cid", "secret", "ORG@AdobeOrg")).linger(Duration.ofMillis(1)).build()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      int sent = 0;
      while (System.nanoTime() < deadline) {
        client.send(message(sent++, false)).get(10, TimeUnit.SECONDS);
      }
      assertThat(aep.tokensIssued()).isGreaterThanOrEqualTo(3);
      assertThat(aep.requestsByStatus()).doesNotContainKeys(401, 403);
      assertThat(aep.acceptedCount()).isEqualTo(sent);
    }
  }

  @Test
  void tokenExpiredServerSide_isRefreshedOnce_andTheMessageDelivered() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().idPointer("/id").authenticatedInlet("inlet-1")
        .oauthCredential("cid", "secret").start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
            .auth(AepAuth.oauth("cid", "secret", "ORG@AdobeOrg")).build()) {
      client.send(message(1, false)).get(10, TimeUnit.SECONDS);
      aep.expireTokensNow();
      client.send(message(2, false)).get(10, TimeUnit.SECONDS);
      assertThat(aep.requestsByStatus()).containsEntry(403, 1L);
      assertThat(aep.tokensIssued()).isEqualTo(2);
      assertThat(aep.timesAccepted("2")).isEqualTo(1);
    }
  }

  @Test
  void wrongCredentials_failWithImsText() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").oauthCredential("cid", "secret")
        .start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl())
            .auth(AepAuth.oauth("cid", "wrong", "ORG@AdobeOrg")).build()) {
      Throwable e = client.send(message(1, false)).handle((d, t) -> t).get(10, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("invalid client_secret parameter");
      assertThat(((AepDeliveryException) e).reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
    }
  }

  @Test
  void https_withTheSimulatorsTrustMaterial() throws Exception {
    try (AepSimulator aep = AepSimulator.builder().https(true).start()) {
      OkHttpClient trusting = new OkHttpClient.Builder()
          .sslSocketFactory(aep.clientSslContext().getSocketFactory(), aep.trustManager()).build();
      try (AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).httpClient(trusting)
          .build()) {
        assertThat(client.send(message(1, false)).get(10, TimeUnit.SECONDS).xactionId()).isNotEmpty();
      }
      try (AepStreamingClient untrusting = AepStreamingClient.builder().inletUrl(aep.inletUrl())
          .deliveryTimeout(Duration.ofSeconds(2)).build()) {
        Throwable e = untrusting.send(message(2, false)).handle((d, t) -> t).get(10, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(AepDeliveryException.class);
        assertThat(e.getMessage()).contains("certificate is not trusted");
      }
      assertThat(Base64.getEncoder().encode(aep.certificate().getEncoded())).isNotEmpty();
    }
  }
}
