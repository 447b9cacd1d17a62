package dev.aepclient.benchmarks;

import dev.aepclient.AepMessage;
import dev.aepclient.internal.batch.PendingMessage;
import dev.aepclient.internal.http.BatchRequestBody;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okio.Buffer;
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
 * Writing a {@code {"messages":[…]}} request body from pre-serialized messages, as OkHttp does for every attempt.
 * Microseconds per request; divide by {@code records} for the cost per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestBodyBenchmark {
  @Param({"500"})
  public int records;

  private BatchRequestBody body;
  private final Buffer sink = new Buffer();

  @Setup
  public void setUp() {
    List<PendingMessage> messages = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      AepMessage message = AepMessage.of(Payloads.xdmEventBytes(i));
      messages.add(new PendingMessage(message, new CompletableFuture<>(), 0L, message.sizeInBytes()));
    }
    body = new BatchRequestBody(messages);
  }

  @Benchmark
  public long writeBody() throws IOException {
    body.writeTo(sink);
    long written = sink.size();
    sink.clear();
    return written;
  }
}
