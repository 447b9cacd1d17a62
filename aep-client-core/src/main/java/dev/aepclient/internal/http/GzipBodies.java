package dev.aepclient.internal.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSink;
import okio.GzipSink;
import okio.Okio;

/** Compresses a request body once, so retries resend the same compressed bytes without compressing again. */
public final class GzipBodies {
  private GzipBodies() {}

  public static RequestBody gzip(RequestBody body) {
    Buffer compressed = new Buffer();
    try (BufferedSink gzip = Okio.buffer(new GzipSink(compressed))) {
      body.writeTo(gzip);
    } catch (IOException e) {
      throw new UncheckedIOException("could not gzip a request body in memory", e);
    }
    return RequestBody.create(compressed.readByteString(), body.contentType());
  }
}
