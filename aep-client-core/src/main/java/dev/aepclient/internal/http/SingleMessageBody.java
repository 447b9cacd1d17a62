package dev.aepclient.internal.http;

import dev.aepclient.AepMessage;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/** One message as the whole body (the single-message endpoint), written from its bytes without a copy. */
public final class SingleMessageBody extends RequestBody {
  private final AepMessage message;

  public SingleMessageBody(AepMessage message) {
    this.message = message;
  }

  @Override
  public MediaType contentType() {
    return BatchRequestBody.JSON;
  }

  @Override
  public long contentLength() {
    return message.sizeInBytes();
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    sink.write(message.bytes());
  }
}
