package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepAuth;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.testkit.AepSimulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An IMS answer cannot exhaust memory: at most 64 KB is read after OkHttp's transparent gunzip, so a gzip bomb
 * (here 128 MiB of zeros in about 130 KB) fails the fetch with a clear error instead of an OutOfMemoryError; and
 * whatever a token fetch throws, an Error included, settles every message waiting for the token.
 */
@Tag("security")
class ImsAnswerSecurityTest {
  private static final byte[] BOMB = gzipOfZeros(128 << 20);

  private static byte[] gzipOfZeros(int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
      byte[] zeros = new byte[1 << 20];
      for (int written = 0; written < size; written += zeros.length) {
        gzip.write(zeros);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 400, 401})
  void aGzipBombFromIms_failsTheFetchClearly_withoutReadingIt(int status) throws Exception {
    try (AepSimulator aep = AepSimulator.builder().authenticatedInlet("inlet-1").start();
        HostileHttpServer ims = new HostileHttpServer(exchange -> {
          exchange.getResponseHeaders().set("Content-Encoding", "gzip");
          HostileHttpServer.send(exchange, status, "application/json", BOMB);
        });
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(ims.baseUrl())
            .auth(AepAuth.oauth("cid", "secret", "ORG@AdobeOrg")).deliveryTimeout(Duration.ofSeconds(10)).build()) {
      Throwable e = client.send(AepMessage.of("{\"id\":\"bomb\"}")).handle((d, t) -> t).get(20, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(AepDeliveryException.class)
          .hasMessageContaining("with more than 65536 bytes (after decompression)");
      assertThat(((AepDeliveryException) e).reason()).isEqualTo(AepDeliveryException.Reason.AUTHENTICATION);
      assertThat(ims.received).as("a configuration error: not retried").hasSize(1);
      assertThat(client.metrics().bufferedBytes()).isZero();
    }
  }

  @Test
  void anErrorThrownByATokenFetch_leavesNoMessageWaiting_andTheNextFetchServes() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (AepSimulator aep = AepSimulator.builder().idPointer("/id").start();
        AepStreamingClient client = AepStreamingClient.builder().inletUrl(aep.inletUrl())
            .auth(AepAuth.provider(() -> {
              if (calls.incrementAndGet() == 1) {
                throw new OutOfMemoryError("simulated: an answer too large for the heap");
              }
              return new AccessToken("token-after-the-error", Instant.now().plusSeconds(600));
            })).deliveryTimeout(Duration.ofSeconds(10)).build()) {
      CompletableFuture<?>[] sent = new CompletableFuture<?>[20];
      for (int i = 0; i < sent.length; i++) {
        sent[i] = client.send(AepMessage.of("{\"id\":\"w" + i + "\"}"));
      }
      CompletableFuture.allOf(sent).get(20, TimeUnit.SECONDS);
      assertThat(calls.get()).isGreaterThanOrEqualTo(2);
      assertThat(aep.acceptedCount()).isEqualTo(sent.length);
      assertThat(client.metrics().bufferedBytes()).isZero();
    }
  }
}
