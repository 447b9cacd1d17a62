package dev.aepclient.benchmarks;

import dev.aepclient.AepMessage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code AepMessage.of}: the check every message goes through on the caller's thread (one JSON object, strict
 * UTF-8) and the copy it keeps. Nanoseconds per ~570-byte XDM message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageBenchmark {
  private static final int DISTINCT = 1024;
  private byte[][] bytes;
  private String[] texts;
  private int next;

  @Setup
  public void setUp() {
    bytes = new byte[DISTINCT][];
    texts = new String[DISTINCT];
    for (int i = 0; i < DISTINCT; i++) {
      bytes[i] = Payloads.xdmEventBytes(i);
      texts[i] = Payloads.xdmEvent(i);
    }
  }

  @Benchmark
  public AepMessage ofBytes() {
    return AepMessage.of(bytes[next++ & (DISTINCT - 1)]);
  }

  @Benchmark
  public AepMessage ofString() {
    return AepMessage.of(texts[next++ & (DISTINCT - 1)]);
  }
}
