package dev.aepclient.examples.demo;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the demo talks to, from environment variables: the real AEP when {@code AEP_INLET_URL}, {@code AEP_CLIENT_ID},
 * {@code AEP_CLIENT_SECRET} and {@code AEP_ORG_ID} are set (else the simulator), and a real Kafka cluster when
 * {@code KAFKA_BOOTSTRAP_SERVERS} and {@code KAFKA_TOPIC} are set (else an in-process broker). A partial set is an
 * error naming what is missing.
 */
record DemoEnvironment(Aep aep, Kafka kafka) {

  /** The real AEP. */
  record Aep(String inletUrl, String clientId, String clientSecret, String orgId, String sandbox, String scopes,
      String imsUrl, String schemaId, String datasetId) {
    @Override
    public String toString() {
      return "AEP " + inletUrl + " (org " + orgId + ", sandbox " + (sandbox == null ? "default" : sandbox) + ")";
    }
  }

  /** A real Kafka cluster. */
  record Kafka(String bootstrapServers, String topic, String groupId, String deadLetterTopic, Properties client) {
    @Override
    public String toString() {
      return "Kafka " + bootstrapServers + " topic " + topic + " (group " + groupId + ")";
    }
  }

  static final List<String> AEP_REQUIRED = List.of("AEP_INLET_URL", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ORG_ID");
  static final List<String> KAFKA_REQUIRED = List.of("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC");
  static final List<String> SAMPLE_IDS = List.of("AEP_SCHEMA_ID", "AEP_DATASET_ID");

  /**
   * @throws IllegalArgumentException naming the missing variables of a partial configuration, or an unreadable
   *     {@code KAFKA_CLIENT_PROPERTIES} file
   */
  static DemoEnvironment from(Map<String, String> env) {
    Aep aep = null;
    if (anySet(env, AEP_REQUIRED)) {
      requireAll(env, AEP_REQUIRED, "the real AEP");
      if (anySet(env, SAMPLE_IDS)) {
        requireAll(env, SAMPLE_IDS, "your own schema in the sample events");
      }
      refuseUserInfo(env, "AEP_INLET_URL");
      refuseUserInfo(env, "AEP_IMS_URL");
      aep = new Aep(env.get("AEP_INLET_URL"), env.get("AEP_CLIENT_ID"), env.get("AEP_CLIENT_SECRET"),
          env.get("AEP_ORG_ID"), blankToNull(env.get("AEP_SANDBOX")), blankToNull(env.get("AEP_SCOPES")),
          blankToNull(env.get("AEP_IMS_URL")), blankToNull(env.get("AEP_SCHEMA_ID")),
          blankToNull(env.get("AEP_DATASET_ID")));
    }
    Kafka kafka = null;
    if (anySet(env, KAFKA_REQUIRED) || blankToNull(env.get("KAFKA_CLIENT_PROPERTIES")) != null) {
      requireAll(env, KAFKA_REQUIRED, "a real Kafka cluster");
      Properties client = new Properties();
      String file = blankToNull(env.get("KAFKA_CLIENT_PROPERTIES"));
      if (file != null) {
        try (Reader reader = Files.newBufferedReader(Path.of(file))) {
          client.load(reader);
        } catch (IOException e) {
          throw new IllegalArgumentException("KAFKA_CLIENT_PROPERTIES points to " + file + ", which cannot be read: "
              + e.getMessage());
        }
      }
      String group = blankToNull(env.get("KAFKA_GROUP_ID"));
      group = group == null ? "aep-client-demo" : group;
      kafka = new Kafka(env.get("KAFKA_BOOTSTRAP_SERVERS"), env.get("KAFKA_TOPIC"), group,
          blankToNull(env.get("KAFKA_DLQ_TOPIC")), client);
    }
    return new DemoEnvironment(aep, kafka);
  }

  private static boolean anySet(Map<String, String> env, List<String> names) {
    return names.stream().anyMatch(n -> blankToNull(env.get(n)) != null);
  }

  private static void requireAll(Map<String, String> env, List<String> names, String what) {
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (blankToNull(env.get(name)) == null) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("to use " + what + " set " + String.join(", ", names) + "; missing: "
          + String.join(", ", missing) + " (or unset them all to use the embedded default)");
    }
  }

  /**
   * A user and password belong in no AEP URL (credentials go in AEP_CLIENT_ID/SECRET); the URL is never echoed. Any
   * '@' counts: AEP's inlet and IMS URLs hold none, and a password may itself hold '@', ':', '/' or spaces, which
   * make a URL parser see no user info at all.
   */
  private static void refuseUserInfo(Map<String, String> env, String name) {
    String url = env.get(name);
    if (url != null && url.indexOf('@') >= 0) {
      throw new IllegalArgumentException(name + " holds an '@', as in user:password@host; AEP takes no user or"
          + " password in its URLs, and the demo would print them: remove them (the client authenticates with"
          + " AEP_CLIENT_ID and AEP_CLIENT_SECRET)");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
