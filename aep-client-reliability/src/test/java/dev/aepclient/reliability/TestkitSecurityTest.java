package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aepclient.testkit.AepSimulator;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 7 (test kit): the simulator does not change JVM-wide settings behind the user's back, cannot be made
 * to inflate an unbounded body for an inlet it does not serve, and escapes the inlet id in its JSON answers.
 */
@Tag("security")
class TestkitSecurityTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void loadingTheSimulatorClass_setsNoSystemProperty() throws Exception {
    String before = System.getProperty(AepSimulator.NODELAY_PROPERTY);
    System.clearProperty(AepSimulator.NODELAY_PROPERTY);
    List<URL> classPath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      classPath.add(new File(entry).toURI().toURL());
    }
    // A loader of its own, so the class is initialized afresh even if this JVM already used the simulator.
    try (URLClassLoader isolated = new URLClassLoader(classPath.toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      Class<?> loaded = Class.forName(AepSimulator.class.getName(), true, isolated);
      assertThat(loaded.getClassLoader()).isSameAs(isolated);
      assertThat(System.getProperty(AepSimulator.NODELAY_PROPERTY)).as("set by class loading").isNull();
    } finally {
      restore(before);
    }
  }

  @Test
  void startingASimulator_keepsAnExplicitNodelaySetting() {
    String before = System.getProperty(AepSimulator.NODELAY_PROPERTY);
    System.setProperty(AepSimulator.NODELAY_PROPERTY, "false");
    try (AepSimulator aep = AepSimulator.start()) {
      assertThat(System.getProperty(AepSimulator.NODELAY_PROPERTY)).isEqualTo("false");
    } finally {
      restore(before);
    }
  }

  private static void restore(String value) {
    if (value == null) {
      System.clearProperty(AepSimulator.NODELAY_PROPERTY);
    } else {
      System.setProperty(AepSimulator.NODELAY_PROPERTY, value);
    }
  }

  @Test
  void unknownInlet_answers404WithoutInflatingAGzipBomb() throws Exception {
    // 60 gzip members of 16 MiB of zeros each: 960 MiB once inflated, under the 1 MB request limit on the wire
    // (the simulator reads at most that much of an unknown inlet's body, as sent, and drops the connection beyond).
    ByteArrayOutputStream member = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(member)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 16; i++) {
        gzip.write(zeros);
      }
    }
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    assertThat(member.size() * 60).isLessThan(1_000_000);
    for (int i = 0; i < 60; i++) {
      member.writeTo(bomb);
    }
    try (AepSimulator aep = AepSimulator.start()) {
      long start = System.nanoTime();
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(aep.baseUrl()
              + "/collection/batch/not-served")).timeout(Duration.ofSeconds(20)).header("Content-Encoding", "gzip")
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(404);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      // and the simulator is still well
      assertThat(post(aep.baseUrl() + "/collection/batch/inlet-1", "{\"messages\":[{}]}").statusCode())
          .isEqualTo(207);
    }
  }

  @Test
  void inletIdIsJsonEscapedInEveryAnswer() throws Exception {
    String inlet = "in\"let\\1";
    String encoded = "in%22let%5C1";
    try (AepSimulator aep = AepSimulator.builder().inlet(inlet).start()) {
      HttpResponse<String> single = post(aep.baseUrl() + "/collection/" + encoded, "{\"a\":1}");
      assertThat(single.statusCode()).isEqualTo(200);
      assertThat(json(single).path("inletId").asText()).isEqualTo(inlet);

      HttpResponse<String> batch = post(aep.baseUrl() + "/collection/batch/" + encoded, "{\"messages\":[{}]}");
      assertThat(batch.statusCode()).isEqualTo(207);
      assertThat(json(batch).path("inletId").asText()).isEqualTo(inlet);

      HttpResponse<String> unknown = post(aep.baseUrl() + "/collection/x%22%7D%2C%22y", "{}");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(json(unknown).path("message").asText()).contains("x\"},\"y");
      assertThat(json(unknown).has("y")).isFalse();
    }
  }

  private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return MAPPER.readTree(response.body());
  }
}
