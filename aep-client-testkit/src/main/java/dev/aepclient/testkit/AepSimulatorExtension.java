package dev.aepclient.testkit;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs one {@link AepSimulator} for a JUnit 5 test class, starting it before the first test and closing it after
 * the last; before each test it forgets recorded messages and drops rejection rules and faults.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final AepSimulatorExtension aep = new AepSimulatorExtension(AepSimulator.builder().idPointer("/id"));
 *
 * @Test void sends() { ... AepStreamingClient.builder().inletUrl(aep.simulator().inletUrl()) ... }
 * }</pre>
 */
public final class AepSimulatorExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private final AepSimulator.Builder builder;
  private AepSimulator simulator;

  /** With the simulator's defaults. */
  public AepSimulatorExtension() {
    this(AepSimulator.builder());
  }

  /**
   * With the settings of {@code builder}; the simulator is built and started before the class's first test.
   *
   * @throws NullPointerException if {@code builder} is null
   */
  public AepSimulatorExtension(AepSimulator.Builder builder) {
    this.builder = Objects.requireNonNull(builder, "builder");
  }

  /**
   * The running simulator.
   *
   * @throws IllegalStateException outside the test class's lifetime
   */
  public AepSimulator simulator() {
    if (simulator == null) {
      throw new IllegalStateException("the simulator runs only while the test class runs; register the extension"
          + " on a static field");
    }
    return simulator;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    simulator = builder.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    simulator.resetRecords();
    simulator.clearRejections();
    simulator.clearFaults();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (simulator != null) {
      simulator.close();
      simulator = null;
    }
  }
}
