package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's environment: all of a group or none of it, and errors that name what is missing. */
class DemoEnvironmentTest {

  @Test
  void nothingSet_embeddedDefaults() {
    DemoEnvironment env = DemoEnvironment.from(Map.of("PATH", "/bin"));
    assertThat(env.aep()).isNull();
    assertThat(env.kafka()).isNull();
  }

  @Test
  void partialAep_isRefusedNamingWhatIsMissing() {
    assertThatThrownBy(() -> DemoEnvironment.from(Map.of("AEP_INLET_URL", "https://dcs.adobedc.net/collection/x",
        "AEP_CLIENT_ID", "cid")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing: AEP_CLIENT_SECRET, AEP_ORG_ID");
  }

  @Test
  void partialKafka_isRefusedNamingWhatIsMissing() {
    assertThatThrownBy(() -> DemoEnvironment.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", "b-1:9098")))
        .hasMessageContaining("missing: KAFKA_TOPIC");
  }

  @Test
  void fullAepAndKafka_withClientProperties(@TempDir Path dir) throws Exception {
    Path props = Files.writeString(dir.resolve("msk.properties"), "security.protocol=SASL_SSL\n");
    DemoEnvironment env = DemoEnvironment.from(Map.of("AEP_INLET_URL", "https://dcs.adobedc.net/collection/x",
        "AEP_CLIENT_ID", "cid", "AEP_CLIENT_SECRET", "secret", "AEP_ORG_ID", "ORG@AdobeOrg", "AEP_SANDBOX", "dev",
        "KAFKA_BOOTSTRAP_SERVERS", "b-1:9098", "KAFKA_TOPIC", "events", "KAFKA_CLIENT_PROPERTIES", props.toString()));
    assertThat(env.aep().sandbox()).isEqualTo("dev");
    assertThat(env.aep().toString()).doesNotContain("secret");
    assertThat(env.kafka().client()).containsEntry("security.protocol", "SASL_SSL");
    assertThat(env.kafka().groupId()).isEqualTo("aep-client-demo");
  }

  @Test
  void unreadableClientProperties() {
    assertThatThrownBy(() -> DemoEnvironment.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", "b-1:9098", "KAFKA_TOPIC", "t",
        "KAFKA_CLIENT_PROPERTIES", "/nonexistent/msk.properties")))
        .hasMessageContaining("KAFKA_CLIENT_PROPERTIES points to /nonexistent/msk.properties");
  }

  @Test
  void userAndPasswordInAnAepUrl_isRefusedWithoutEchoingThem() {
    // The second '@' and the '/' in the passwords make java.net.URI see no user info at all.
    for (String url : List.of("https://user:hunter2@dcs.adobedc.net/collection/x",
        "https://user:p@ss-hunter2@dcs.adobedc.net/collection/x", "https://user:pa/ss-hunter2@dcs.adobedc.net/c/x")) {
      assertThatThrownBy(() -> DemoEnvironment.from(Map.of("AEP_INLET_URL", url, "AEP_CLIENT_ID", "cid",
          "AEP_CLIENT_SECRET", "s", "AEP_ORG_ID", "ORG@AdobeOrg")))
          .as(url).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("AEP_INLET_URL holds an '@'")
          .message().doesNotContain("hunter2").doesNotContain("ss-");
    }
    assertThatThrownBy(() -> DemoEnvironment.from(Map.of("AEP_INLET_URL", "https://dcs.adobedc.net/collection/x",
        "AEP_CLIENT_ID", "cid", "AEP_CLIENT_SECRET", "s", "AEP_ORG_ID", "ORG@AdobeOrg",
        "AEP_IMS_URL", "https://me:hunter2@ims-na1.adobelogin.com")))
        .hasMessageStartingWith("AEP_IMS_URL holds an '@'").message().doesNotContain("hunter2");
  }

  @Test
  void blankKafkaGroupId_meansTheDefaultGroup() {
    DemoEnvironment env = DemoEnvironment.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", "b-1:9098", "KAFKA_TOPIC", "t",
        "KAFKA_GROUP_ID", " "));
    assertThat(env.kafka().groupId()).isEqualTo("aep-client-demo");
  }
}
