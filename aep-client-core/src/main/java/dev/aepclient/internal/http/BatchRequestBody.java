package dev.aepclient.internal.http;

import dev.aepclient.internal.batch.Batch;
import dev.aepclient.internal.batch.PendingMessage;
import java.io.IOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * {@code {"messages":[m1,m2,…]}} written straight from each message's pre-serialized bytes: no second
 * serialization and no intermediate copy. Replayable, so OkHttp and the retry policy can send it again.
 */
public final class BatchRequestBody extends RequestBody {
  public static final MediaType JSON = MediaType.get("application/json");
  private static final byte[] OPEN = "{\"messages\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final List<PendingMessage> messages;
  private final long length;

  public BatchRequestBody(List<PendingMessage> messages) {
    this.messages = messages;
    long bytes = Batch.FRAME_BYTES + Math.max(0L, messages.size() - 1L);
    for (PendingMessage m : messages) {
      bytes += m.size();
    }
    this.length = bytes;
  }

  @Override
  public MediaType contentType() {
    return JSON;
  }

  @Override
  public long contentLength() {
    return length;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    sink.write(OPEN);
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        sink.writeByte(',');
      }
      sink.write(messages.get(i).message().bytes());
    }
    sink.write(CLOSE);
  }
}
