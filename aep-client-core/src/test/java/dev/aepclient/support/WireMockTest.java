package dev.aepclient.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.AepStreamingClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Base of tests against a WireMock DCS on loopback: one server per class, stubs reset before each test. */
public abstract class WireMockTest {
  protected static final String INLET_PATH = "/collection/inlet-1";
  protected static final String BATCH_PATH = "/collection/batch/inlet-1";
  protected static final BatchAnswerer ANSWERER = new BatchAnswerer();

  @RegisterExtension
  protected static final WireMockExtension wm = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().extensions(ANSWERER).containerThreads(40))
      .build();

  private final List<AepStreamingClient> clients = new ArrayList<>();

  @BeforeEach
  void resetAnswerer() {
    ANSWERER.reset();
  }

  @AfterEach
  void closeClients() {
    for (AepStreamingClient client : clients) {
      client.close(Duration.ofSeconds(2));
    }
  }

  /** A builder for this server's inlet with short timings, so tests run fast. */
  protected AepStreamingClientBuilder builder() {
    return AepStreamingClient.builder()
        .inletUrl(wm.baseUrl() + INLET_PATH)
        .imsUrl(wm.baseUrl())
        .linger(Duration.ofMillis(5))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .deliveryTimeout(Duration.ofSeconds(20));
  }

  /** Builds and registers for closing after the test. */
  protected AepStreamingClient build(AepStreamingClientBuilder builder) {
    AepStreamingClient client = builder.build();
    clients.add(client);
    return client;
  }

  protected static AepMessage message(int id) {
    return AepMessage.of("{\"id\":\"" + id + "\",\"body\":{\"n\":" + id + "}}");
  }

  protected static AepMessage badMessage(int id) {
    return AepMessage.of("{\"id\":\"" + id + "\",\"bad\":true}");
  }
}
