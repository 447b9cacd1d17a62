package dev.aepclient.internal.http;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * The inlet URL a user is given ({@code https://dcs.adobedc.net/collection/{INLET_ID}}) and the URLs derived from
 * it: the batch endpoint ({@code /collection/batch/{INLET_ID}}, {@code batch/} inserted after
 * {@code /collection/}) and the synchronous validation endpoint. Any host works; nothing is hard-coded.
 */
public final class InletEndpoint {
  private final HttpUrl inletUrl;
  private final HttpUrl batchUrl;
  private final String inletId;

  private InletEndpoint(HttpUrl inletUrl, HttpUrl batchUrl, String inletId) {
    this.inletUrl = inletUrl;
    this.batchUrl = batchUrl;
    this.inletId = inletId;
  }

  /**
   * Parses an inlet URL; a batch URL ({@code /collection/batch/{id}}) is accepted too.
   *
   * @throws IllegalArgumentException explaining the expected shape
   */
  public static InletEndpoint parse(String url) {
    HttpUrl parsed = url == null ? null : HttpUrl.parse(url.trim());
    if (parsed == null) {
      throw new IllegalArgumentException("inletUrl (aep.inlet.url) is not an http(s) URL: '" + withoutUserInfo(url)
          + "'; expected https://dcs.adobedc.net/collection/{INLET_ID}");
    }
    requireNoUserInfo(parsed, "inletUrl (aep.inlet.url)");
    List<String> segments = new ArrayList<>(parsed.pathSegments());
    segments.removeIf(String::isEmpty);
    int collection = segments.lastIndexOf("collection");
    if (collection >= 0 && segments.size() == collection + 3 && "batch".equals(segments.get(collection + 1))) {
      segments.remove(collection + 1);
    }
    if (collection < 0 || segments.size() != collection + 2) {
      throw new IllegalArgumentException("inletUrl (aep.inlet.url) must end in /collection/{INLET_ID}, got path '"
          + parsed.encodedPath() + "'; copy the URL shown when the streaming connection was created");
    }
    String inletId = segments.get(collection + 1);
    HttpUrl.Builder base = parsed.newBuilder().query(null).fragment(null).encodedPath("/");
    for (int i = 0; i < collection + 1; i++) {
      base.addPathSegment(segments.get(i));
    }
    HttpUrl inlet = base.build().newBuilder().addPathSegment(inletId).build();
    HttpUrl batch = base.build().newBuilder().addPathSegment("batch").addPathSegment(inletId).build();
    return new InletEndpoint(inlet, batch, inletId);
  }

  /**
   * Refuses a URL with a user name or password ({@code https://user:password@host/...}): the client would show them
   * wherever it shows the URL (toString, the start-up log line), and AEP and IMS take credentials otherwise.
   *
   * @param setting the setting and its key, for the message, which never shows the user name or password
   * @throws IllegalArgumentException if {@code url} has user info
   */
  public static void requireNoUserInfo(HttpUrl url, String setting) {
    if (!url.encodedUsername().isEmpty() || !url.encodedPassword().isEmpty()) {
      throw new IllegalArgumentException(setting + " must not hold a user name or password (user:password@" + url.host()
          + "): they would show wherever the URL is shown; pass credentials with auth(...) (aep.auth.*) and remove"
          + " them from the URL");
    }
  }

  /** {@code url} as typed, with anything between {@code //} and {@code @} masked, for error messages. */
  public static String withoutUserInfo(String url) {
    return url == null ? null : url.replaceAll("(?s)//[^/?#]*@", "//****@");
  }

  /** True for https URLs, and for http URLs whose host is a loopback address. */
  public boolean isSecureOrLoopback() {
    return inletUrl.isHttps() || isLoopback(inletUrl.host());
  }

  /** Whether {@code host} is {@code localhost} or a literal loopback address (no DNS lookup). */
  public static boolean isLoopback(String host) {
    if ("localhost".equalsIgnoreCase(host)) {
      return true;
    }
    // Only literal IP addresses are checked, so no DNS lookup happens here.
    if (host.matches("[0-9.]+") || host.contains(":")) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  public HttpUrl inletUrl() {
    return inletUrl;
  }

  public HttpUrl batchUrl() {
    return batchUrl;
  }

  /** The single-message endpoint with {@code ?syncValidation=true} (development only). */
  public HttpUrl syncValidationUrl() {
    return inletUrl.newBuilder().addQueryParameter("syncValidation", "true").build();
  }

  public String inletId() {
    return inletId;
  }

  @Override
  public String toString() {
    return inletUrl.toString();
  }
}
