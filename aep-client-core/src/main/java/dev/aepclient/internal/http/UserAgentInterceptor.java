package dev.aepclient.internal.http;

import dev.aepclient.AepClientVersion;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Names the client on every request, DCS and IMS: {@code User-Agent: aep-client/{version}}, so AEP's logs and
 * support can tell which client and version sent a request. A {@code User-Agent} the application set already (a
 * custom header, or an interceptor of its own {@code OkHttpClient}) is kept in front, as RFC 9110 §10.1.5 lists
 * products: {@code my-app/2.0 aep-client/0.1.0}. Stateless and thread-safe.
 */
public final class UserAgentInterceptor implements Interceptor {
  /** The product token of this client, {@code aep-client/{version}}. */
  public static final String PRODUCT = "aep-client/" + AepClientVersion.get();

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    return chain.proceed(request.newBuilder().header("User-Agent", userAgent(request.header("User-Agent"))).build());
  }

  static String userAgent(String existing) {
    if (existing == null || existing.isBlank()) {
      return PRODUCT;
    }
    return existing.contains(PRODUCT) ? existing : existing.trim() + " " + PRODUCT;
  }
}
