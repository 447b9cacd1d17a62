package dev.aepclient.internal.send;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a 207 answer entry by entry, as the client does for every request (in {@code ResponseInterpreter}'s own
 * package: it is internal). Microseconds per answer; divide by {@code records} for the cost per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AnswerParsingBenchmark {
  @Param({"500"})
  public int records;

  private final ResponseInterpreter interpreter = new ResponseInterpreter(Clock.systemUTC());
  private byte[] answer;

  @Setup
  public void setUp() {
    StringBuilder json = new StringBuilder("{\"inletId\":\"9b0cb233972f3b0092992284c7353f5eead496218e8441a79b25e9421ea127f5\","
        + "\"batchId\":\"1565638336649:1750:244\",\"receivedTimeMs\":1565638336705,\"responses\":[");
    for (int i = 0; i < records; i++) {
      if (i > 0) {
        json.append(',');
      }
      if (i % 100 == 99) {
        json.append("{\"statusCode\":400,\"message\":\"Message has unknown xdm format\"}");
      } else {
        json.append("{\"xactionId\":\"1565650704337:2124:92:").append(i).append("\"}");
      }
    }
    answer = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public AttemptOutcome parse207() {
    return interpreter.interpret(207, answer, null, null, records, false);
  }
}
