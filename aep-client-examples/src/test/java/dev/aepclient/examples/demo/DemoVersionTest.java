package dev.aepclient.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aepclient.AepClientVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code demo --version} prints the version of the aep-client it runs on, not a number written into the demo. */
class DemoVersionTest {
  @Test
  void version_printsTheClientsBuildVersion() {
    StringWriter out = new StringWriter();
    CommandLine demo = new CommandLine(new Demo());
    demo.setOut(new PrintWriter(out));

    int exit = demo.execute("--version");

    assertThat(exit).isZero();
    assertThat(AepClientVersion.get()).isNotEqualTo(AepClientVersion.UNKNOWN);
    assertThat(out.toString().strip()).isEqualTo("aep-client demo " + AepClientVersion.get());
  }
}
