package dev.aepclient.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The build forwards and dead-letters with a kafka-clients not affected by CVE-2026-35554 (a producer can deliver
 * records to the wrong topic: a shared dead-letter producer could write payloads to an unrelated topic). Fixed in
 * 3.9.2, 4.0.2 and 4.1.2. The enforcer's bannedDependencies rule refuses the bad versions at build time; this
 * checks the kafka-clients that actually runs, whatever profile or -Dkafka.version chose it.
 */
@Tag("reliability")
@Tag("security")
class KafkaAdvisoryTest {

  /** True when {@code version} (major.minor.patch) is one CVE-2026-35554 affects. */
  static boolean affectedByCve202635554(String version) {
    int[] v = Arrays.stream(version.split("[.-]")).limit(3).mapToInt(Integer::parseInt).toArray();
    int major = v[0];
    int minor = v.length > 1 ? v[1] : 0;
    int patch = v.length > 2 ? v[2] : 0;
    if (major < 3 || (major == 3 && (minor < 9 || (minor == 9 && patch < 2)))) {
      return true;
    }
    return major == 4 && ((minor == 0 && patch < 2) || (minor == 1 && patch < 2));
  }

  @Test
  void rangesMatchTheAdvisory() {
    assertThat(affectedByCve202635554("3.9.1")).isTrue();
    assertThat(affectedByCve202635554("3.8.0")).isTrue();
    assertThat(affectedByCve202635554("2.8.2")).isTrue();
    assertThat(affectedByCve202635554("4.0.1")).isTrue();
    assertThat(affectedByCve202635554("4.1.1")).isTrue();
    assertThat(affectedByCve202635554("3.9.2")).isFalse();
    assertThat(affectedByCve202635554("4.0.2")).isFalse();
    assertThat(affectedByCve202635554("4.1.2")).isFalse();
    assertThat(affectedByCve202635554("4.4.0")).isFalse();
  }

  @Test
  void kafkaClientsOnTheClassPath_isNotAffectedByCve202635554() {
    String version = AppInfoParser.getVersion();
    assertThat(version).as("kafka-clients version").matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(affectedByCve202635554(version)).as("kafka-clients %s is affected by CVE-2026-35554", version)
        .isFalse();
  }
}
