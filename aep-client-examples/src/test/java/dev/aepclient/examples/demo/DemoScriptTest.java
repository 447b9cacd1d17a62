package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./demo} script's own logic: when it builds, where and how it runs {@code java}, and what a failed build
 * leaves behind. It runs the real script from a copy of the repository's layout in a path with spaces, called from
 * another directory; {@code mvn} and {@code java} are small stand-in scripts that record how they were called (the
 * real build takes minutes and would rebuild this very module; the manual {@code ./demo} runs cover it).
 */
@DisabledOnOs(OS.WINDOWS)
class DemoScriptTest {
  private static final Path SCRIPT = Path.of("..", "demo"); // surefire runs in the module's directory

  @TempDir
  Path tmp;
  private Path repo;
  private Path caller;
  private Path dependency;
  private Path mvnLog;
  private Path javaLog;
  private final Map<String, String> env = new HashMap<>();

  private record Run(int exitCode, String output) {}

  @BeforeEach
  void layOutARepositoryWithStandIns() throws IOException {
    repo = Files.createDirectories(tmp.resolve("my projects/aep client"));
    Files.copy(SCRIPT, repo.resolve("demo"), StandardCopyOption.COPY_ATTRIBUTES);
    Instant past = Instant.now().minusSeconds(120);
    for (String file : List.of("pom.xml", "aep-client-examples/pom.xml",
        "aep-client-examples/src/main/java/dev/aepclient/examples/demo/Demo.java")) {
      Path path = repo.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, "x");
      Files.setLastModifiedTime(path, FileTime.from(past));
    }
    caller = Files.createDirectories(tmp.resolve("somewhere else"));
    dependency = Files.createDirectories(tmp.resolve("m2 repo")).resolve("dep.jar");
    Files.writeString(dependency, "jar");
    mvnLog = tmp.resolve("mvn.log");
    javaLog = tmp.resolve("java.log");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    // mvn: writes what build-classpath writes (one line, no newline), in the directory it runs in.
    executable(bin.resolve("mvn"), """
        #!/usr/bin/env bash
        echo "$PWD | $*" >> "$FAKE_MVN_LOG"
        [[ "${FAKE_MVN_EXIT:-0}" == 0 ]] || { echo "[ERROR] the build failed" >&2; exit "$FAKE_MVN_EXIT"; }
        mkdir -p aep-client-examples/target/classes
        printf '%s' "$FAKE_DEPENDENCY" > aep-client-examples/target/demo.classpath
        """);
    Path jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
    executable(jdk.resolve("java"), """
        #!/usr/bin/env bash
        { echo "cwd=$PWD"; for a in "$@"; do echo "arg=$a"; done; } > "$FAKE_JAVA_LOG"
        exit "${FAKE_JAVA_EXIT:-0}"
        """);
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString()); // no ~/.m2: no offline attempt
    env.put("JAVA_HOME", jdk.getParent().toString());
    env.put("FAKE_MVN_LOG", mvnLog.toString());
    env.put("FAKE_JAVA_LOG", javaLog.toString());
    env.put("FAKE_DEPENDENCY", dependency.toString());
  }

  private static void executable(Path path, String text) throws IOException {
    Files.writeString(path, text);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Run demo(Path script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    Files.deleteIfExists(javaLog);
    ProcessBuilder pb = new ProcessBuilder(command).directory(caller.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private long builds() throws IOException {
    return Files.exists(mvnLog) ? Files.readAllLines(mvnLog).size() : 0;
  }

  private List<String> javaCall() throws IOException {
    return Files.exists(javaLog) ? Files.readAllLines(javaLog) : List.of();
  }

  @Test
  void runsJavaInTheCallersDirectory_withItsArguments_andPassesItsExitStatusOn() throws Exception {
    env.put("FAKE_JAVA_EXIT", "1");
    Run run = demo(repo.resolve("demo"), "--records", "5", "two words");

    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(builds()).isEqualTo(1);
    assertThat(Files.readString(mvnLog)).startsWith(repo + " | "); // Maven runs in the repository
    // A relative KAFKA_CLIENT_PROPERTIES names a file in the caller's directory, so java runs there.
    assertThat(javaCall()).contains("cwd=" + caller, "arg=--records", "arg=5", "arg=two words",
        "arg=" + repo.resolve("aep-client-examples/target/classes") + ":" + dependency,
        "arg=dev.aepclient.examples.demo.Demo");

    env.put("FAKE_JAVA_EXIT", "2");
    assertThat(demo(repo.resolve("demo"), "--bad").exitCode()).isEqualTo(2);
    env.put("FAKE_JAVA_EXIT", "0");
    assertThat(demo(repo.resolve("demo")).exitCode()).isZero();
    assertThat(builds()).as("built once, then only run").isEqualTo(1);
  }

  @Test
  void rebuilds_whenAPomChanges_orAClassPathEntryIsGone() throws Exception {
    assertThat(demo(repo.resolve("demo")).exitCode()).isZero();
    assertThat(builds()).isEqualTo(1);

    Files.setLastModifiedTime(repo.resolve("aep-client-examples/pom.xml"),
        FileTime.from(Instant.now().minusSeconds(60))); // a dependency changed since the last build:
    Files.setLastModifiedTime(repo.resolve("aep-client-examples/target/demo.classpath"),
        FileTime.from(Instant.now().minusSeconds(90))); // the pom is newer than the class path
    assertThat(demo(repo.resolve("demo")).exitCode()).isZero();
    assertThat(builds()).isEqualTo(2);

    Files.delete(dependency); // a cleaned ~/.m2 or a module's `mvn clean`: the class path names a missing jar
    Run run = demo(repo.resolve("demo"));
    assertThat(builds()).as(run.output()).isEqualTo(3);
  }

  @Test
  void aFailedBuild_runsNothing_exitsThree_andIsRetriedNextTime() throws Exception {
    env.put("FAKE_MVN_EXIT", "1");
    Run failed = demo(repo.resolve("demo"), "--records", "5");

    // Not 1, which says "records not accounted for".
    assertThat(failed.exitCode()).as(failed.output()).isEqualTo(3);
    assertThat(failed.output()).contains("[ERROR] the build failed").contains("demo: the build failed");
    assertThat(javaCall()).isEmpty();
    assertThat(repo.resolve("aep-client-examples/target/demo.classpath")).doesNotExist();

    env.remove("FAKE_MVN_EXIT");
    assertThat(demo(repo.resolve("demo")).exitCode()).isZero();
    assertThat(builds()).isEqualTo(2);
    assertThat(javaCall()).isNotEmpty();
  }

  @Test
  void runsThroughASymbolicLink() throws Exception {
    Path link = Files.createDirectories(tmp.resolve("my bin")).resolve("demo");
    Files.createSymbolicLink(link, repo.resolve("demo"));

    Run run = demo(link, "--help");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(Files.readString(mvnLog)).startsWith(repo + " | ");
    assertThat(javaCall()).contains("arg=" + repo.resolve("aep-client-examples/target/classes") + ":" + dependency);
  }

  @Test
  void buildsAndRuns_withoutHomeSet() throws Exception {
    Run run = demoWithout("HOME"); // cron, env -i

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).doesNotContain("unbound variable");
    assertThat(builds()).isEqualTo(1);
    assertThat(javaCall()).contains("arg=dev.aepclient.examples.demo.Demo");
  }

  private Run demoWithout(String variable) throws Exception {
    Files.deleteIfExists(javaLog);
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("demo").toString()).directory(caller.toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().remove(variable);
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }
}
