package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.aepclient.AepAuth;
import dev.aepclient.AepDeliveryException;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import dev.aepclient.auth.PrivateKeySource;
import dev.aepclient.testkit.AepSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every bad input we could think of, and the exact error a user sees. None may crash a thread, leak buffer space or
 * leave a future hanging. The table goes to {@code target/bad-input-catalogue.md} (copied into docs/reliability.md).
 */
@Tag("reliability")
class BadInputCatalogueTest {
  private static AepSimulator aep;
  private static final List<String> rows = new ArrayList<>();
  private static final List<Throwable> uncaught = new ArrayList<>();
  private static Thread.UncaughtExceptionHandler previous;

  @BeforeAll
  static void start() {
    aep = AepSimulator.builder().authenticatedInlet("inlet-1").oauthCredential("cid", "right-secret").start();
    previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      synchronized (uncaught) {
        uncaught.add(e);
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    aep.close();
    Thread.setDefaultUncaughtExceptionHandler(previous);
    assertThat(uncaught).as("no thread died of an uncaught exception").isEmpty();
    StringBuilder table = new StringBuilder("| bad input | where it fails | what the user sees |\n|---|---|---|\n");
    rows.forEach(r -> table.append(r).append('\n'));
    Files.writeString(Path.of("target", "bad-input-catalogue.md"), table.toString());
  }

  private static void row(String input, String where, Throwable e) {
    String text = e.getClass().getSimpleName() + ": " + e.getMessage().replace("|", "\\|");
    rows.add("| " + input + " | " + where + " | " + text + " |");
  }

  /** The exception {@code action} throws, failing the test if it throws none. */
  private static RuntimeException thrown(Supplier<?> action) {
    try {
      Object unused = action.get(); // only the exception matters
    } catch (RuntimeException e) {
      return e;
    }
    return fail("expected an exception");
  }

  private AepStreamingClient client(AepAuth auth) {
    return AepStreamingClient.builder().inletUrl(aep.inletUrl()).imsUrl(aep.imsUrl()).auth(auth)
        .deliveryTimeout(Duration.ofSeconds(5)).build();
  }

  private static AepMessage fine() {
    return AepMessage.of("{\"id\":\"fine\"}");
  }

  @Test
  @SuppressWarnings("FutureReturnValueIgnored") // the sends in thrown(...) must throw, there is no future
  void messages() {
    String megabyte = "{\"p\":\"" + "x".repeat(1_000_000 - 15 - 8 + 1) + "\"}"; // one byte over what fits a request
    byte[] invalidUtf8 = "{\"a\":\"xx\"}".getBytes(StandardCharsets.US_ASCII);
    invalidUtf8[6] = (byte) 0xC3;
    String deep = "{\"a\":".repeat(2000) + "1" + "}".repeat(2000);
    Object[][] cases = {
        {"not JSON: `hello`", (Supplier<?>) () -> AepMessage.of("hello"), "not well-formed JSON"},
        {"truncated JSON: `{\"a\":{\"b\":1}`", (Supplier<?>) () -> AepMessage.of("{\"a\":{\"b\":1}"), "truncated"},
        {"empty string", (Supplier<?>) () -> AepMessage.of(""), "empty"},
        {"null", (Supplier<?>) () -> AepMessage.of((String) null), "null"},
        {"a JSON array `[1,2]`", (Supplier<?>) () -> AepMessage.of("[1,2]"), "not a JSON object"},
        {"two objects `{}{}`", (Supplier<?>) () -> AepMessage.of("{}{}"), "content after"},
        {"invalid UTF-8 (0xC3 then ASCII)", (Supplier<?>) () -> AepMessage.of(invalidUtf8), "UTF-8"},
        {"JSON nested 2,000 deep", (Supplier<?>) () -> AepMessage.of(deep), "nesting depth"},
    };
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      RuntimeException e = thrown((Supplier<Object>) c[1]);
      assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining((String) c[2]);
      row((String) c[0], "`AepMessage.of`", e);
    }

    try (AepStreamingClient client = client(AepAuth.oauth("cid", "right-secret", "ORG@AdobeOrg"))) {
      RuntimeException tooLarge = thrown(() -> client.send(AepMessage.of(megabyte)));
      assertThat(tooLarge).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot fit");
      row("a message of 1 MB + 1 byte (999,986 bytes with the 15-byte frame: 1,000,001)", "`send`", tooLarge);
      RuntimeException nullMessage = thrown(() -> client.send(null));
      row("`send(null)`", "`send`", nullMessage);
      assertThat(client.metrics().bufferedBytes()).as("nothing taken from the buffer").isZero();
      assertThat(client.metrics().messagesSent()).isZero();
    }
  }

  private static RuntimeException buildError(java.util.function.Consumer<AepStreamingClientBuilder> configure) {
    return thrown(() -> {
      AepStreamingClientBuilder b = AepStreamingClient.builder().inletUrl("https://dcs.adobedc.net/collection/x");
      configure.accept(b);
      b.build().close();
      return null;
    });
  }

  @Test
  void configuration() throws Exception {
    Object[][] cases = {
        {"no inlet URL", buildError(b -> AepStreamingClient.builder().build())},
        {"`http://` inlet URL to a remote host", buildError(b -> b.inletUrl("http://dcs.adobedc.net/collection/x"))},
        {"inlet URL without `/collection/{id}`", buildError(b -> b.inletUrl("https://dcs.adobedc.net/x"))},
        {"`maxBatchRecords(0)`", buildError(b -> b.maxBatchRecords(0))},
        {"`maxBatchBytes(2_000_000)`", buildError(b -> b.maxBatchBytes(2_000_000))},
        {"`maxBufferedBytes(1_000)`", buildError(b -> b.maxBufferedBytes(1_000))},
        {"`maxInFlightRequests(1000)`", buildError(b -> b.maxInFlightRequests(1000))},
        {"`deliveryTimeout(0)`", buildError(b -> b.deliveryTimeout(Duration.ZERO))},
        {"JWT key file missing", buildError(b -> b.auth(AepAuth.jwt("c", "s", "o", "t",
            PrivateKeySource.fromFile(Path.of("/nonexistent/key.pem")))))},
        {"JWT key file not a key", buildError(b -> b.auth(AepAuth.jwt("c", "s", "o", "t",
            PrivateKeySource.fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))))},
        {"`aep.batch.max.recrods=5` (a typo in properties)", thrown(() -> {
          java.util.Properties p = new java.util.Properties();
          p.setProperty("aep.inlet.url", "https://dcs.adobedc.net/collection/x");
          p.setProperty("aep.batch.max.recrods", "5");
          return AepStreamingClient.fromProperties(p);
        })},
    };
    for (Object[] c : cases) {
      RuntimeException e = (RuntimeException) c[1];
      assertThat(e).isInstanceOf(IllegalArgumentException.class);
      row((String) c[0], "builder / `build()`", e);
    }
  }

  private static Throwable outcome(CompletableFuture<?> f) throws Exception {
    return f.handle((v, e) -> e).get(30, TimeUnit.SECONDS); // a hung future fails the test here
  }

  @Test
  void atRuntime() throws Exception {
    try (AepStreamingClient unknownInlet = AepStreamingClient.builder().inletUrl(aep.inletUrl("no-such-inlet"))
        .build()) {
      Throwable e = outcome(unknownInlet.send(fine()));
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("inlet not found");
      row("unknown inlet (DCS answers 404)", "the future", e);
      assertThat(unknownInlet.metrics().bufferedBytes()).isZero();
    }
    try (AepStreamingClient wrongSecret = client(AepAuth.oauth("cid", "wrong-secret", "ORG@AdobeOrg"))) {
      Throwable e = outcome(wrongSecret.send(fine()));
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("invalid_client")
          .hasMessageNotContaining("wrong-secret");
      row("wrong client secret (IMS 401 `invalid_client`)", "the future", e);
      assertThat(wrongSecret.metrics().bufferedBytes()).isZero();
    }
    try (AepStreamingClient badScope = client(AepAuth.oauth("cid", "right-secret", "ORG@AdobeOrg")
        .scopes(List.of("openid", "no_such_scope")))) {
      Throwable e = outcome(badScope.send(fine()));
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("invalid_scope");
      row("a scope the credential lacks (IMS 400 `invalid_scope`)", "the future", e);
      assertThat(badScope.metrics().bufferedBytes()).isZero();
    }
    try (AepStreamingClient noAuth = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build()) {
      Throwable e = outcome(noAuth.send(fine()));
      assertThat(e).isInstanceOf(AepDeliveryException.class).hasMessageContaining("requires authentication");
      row("no credentials for an authenticated inlet (DCS 401)", "the future", e);
    }
    AepStreamingClient closed = AepStreamingClient.builder().inletUrl(aep.inletUrl()).build();
    closed.close();
    Throwable e = outcome(closed.send(fine()));
    assertThat(e).isInstanceOf(AepDeliveryException.class);
    row("`send` after `close()`", "the future", e);
  }
}
