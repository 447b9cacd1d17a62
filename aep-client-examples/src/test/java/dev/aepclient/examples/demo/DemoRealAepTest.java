package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.testkit.AepSimulator;
import dev.aepclient.testkit.Fault;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's real-AEP mode (embedded Kafka, AEP_* set) end to end against an independent stand-in for AEP: a second
 * {@link AepSimulator} on its own port with an OAuth credential, org and sandbox checks and a few faults, configured
 * only through the environment variables a user sets.
 */
class DemoRealAepTest {
  private static final int RECORDS = 6_000; // holds one tombstone (777) and one header-less record (4999)

  private AepSimulator standIn;

  @BeforeEach
  void startStandIn() {
    standIn = AepSimulator.builder().idPointer(SampleEvents.ID_POINTER).authenticatedInlet("sandbox-inlet")
        .oauthCredential("demo-client", "stand-in-secret").requireOrgId("ACME@AdobeOrg").requireSandbox("dev")
        .start();
    standIn.rejectWhen(m -> m.path("header").isMissingNode(), 400, "XDM header missing");
    // One each: a 503, a dropped connection, and an accepted request answered without entries (so the client
    // sends those messages again and the stand-in sees duplicates the client must not count twice).
    standIn.enqueueFaults(Fault.status(503), Fault.dropConnection(), Fault.missingResponses());
  }

  @AfterEach
  void stopStandIn() {
    standIn.close();
  }

  private Map<String, String> environment(String secret) {
    Map<String, String> env = new HashMap<>();
    env.put("AEP_INLET_URL", standIn.inletUrl("sandbox-inlet"));
    env.put("AEP_CLIENT_ID", "demo-client");
    env.put("AEP_CLIENT_SECRET", secret);
    env.put("AEP_ORG_ID", "ACME@AdobeOrg");
    env.put("AEP_SANDBOX", "dev");
    env.put("AEP_IMS_URL", standIn.imsUrl());
    return env;
  }

  @Test
  void realAep_countsTheClientsOwnOutcomes_andExitsZeroWhenEveryRecordIsAccountedFor() {
    DemoRun run = DemoRun.of(environment("stand-in-secret"), "--records", String.valueOf(RECORDS),
        "--partitions", "2", "--timeout", "120");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .containsPattern("delivered +5,998 +\\(AEP's receipts, from AEP's answers\\)")
        .containsPattern("rejected by AEP +1 ")
        .containsPattern("failed +0 ")
        .containsPattern("dead-lettered +2\\n")
        .contains("400 XDM header missing")
        .contains("every record accounted for")
        .doesNotContain("AepSimulator"); // no simulator started, none named
    assertThat(run.toString()).doesNotContain("stand-in-secret");
    // What the stand-in saw agrees, though it received some messages twice and counted them twice on the wire.
    assertThat(standIn.acceptedIds()).hasSize(5_998);
    assertThat(standIn.duplicates()).isPositive();
    assertThat(standIn.tokensIssued()).isPositive();
  }

  @Test
  void realAep_refusedCredentials_reportFailuresAndExitOne() {
    DemoRun run = DemoRun.of(environment("wrong-secret"), "--records", "2000", "--partitions", "1",
        "--timeout", "60");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).containsPattern("delivered +0 ").containsPattern("failed +[1-9][0-9,]* +\\{AUTHENTICATION=")
        .contains("NOT every record is accounted for");
    assertThat(run.toString()).doesNotContain("wrong-secret");
    assertThat(standIn.acceptedCount()).isZero();
  }
}
