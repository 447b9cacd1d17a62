package dev.aepclient.internal.http;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Keeps OkHttp from resending a request by itself: it answers a 503 carrying {@code Retry-After: 0}, and a 408,
 * by posting the same body again at once, outside the client's back-off, rate limit and request count. As a
 * network interceptor it sees those answers first and hides {@code Retry-After} from OkHttp's follow-up logic
 * (moving the server's value to {@link #ORIGINAL_RETRY_AFTER}); the client's own retry decides instead.
 */
public final class NoAutomaticRetry implements Interceptor {
  /** Where the server's {@code Retry-After} of a 408/503 answer is kept ("" when there was none). */
  public static final String ORIGINAL_RETRY_AFTER = "X-Aep-Client-Original-Retry-After";

  @Override
  public Response intercept(Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    int code = response.code();
    if (code != 408 && code != 503) {
      return response;
    }
    String original = response.header("Retry-After");
    return response.newBuilder()
        .header(ORIGINAL_RETRY_AFTER, original == null ? "" : original)
        // OkHttp resends a 503 only for exactly 0 and a 408 only without a positive value: a huge value stops both.
        .header("Retry-After", String.valueOf(Integer.MAX_VALUE))
        .build();
  }

  /** The server's {@code Retry-After}, undoing what this interceptor did to a 408/503 answer. */
  public static String retryAfter(Response response) {
    String original = response.header(ORIGINAL_RETRY_AFTER);
    if (original != null) {
      return original.isEmpty() ? null : original;
    }
    return response.header("Retry-After");
  }
}
