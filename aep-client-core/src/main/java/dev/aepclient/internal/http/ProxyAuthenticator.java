package dev.aepclient.internal.http;

import java.net.Proxy;
import okhttp3.Authenticator;
import okhttp3.Challenge;
import okhttp3.Credentials;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * Answers the configured HTTP proxy's own Basic challenge, and nothing else. Set per client with
 * {@code OkHttpClient.Builder.proxyAuthenticator}, never through {@code java.net.Authenticator.setDefault}: other
 * code in the JVM must not see these credentials.
 *
 * <p>OkHttp hands every 407 to the proxy authenticator, including one that the <em>origin</em> sends inside an
 * established CONNECT tunnel; answering that one would give the proxy user and password to the origin (and to
 * anything in front of it, such as a TLS-inspecting gateway). So:
 * <ul>
 *   <li>https targets: only a 407 to the {@code CONNECT} request is answered. That 407 comes from the proxy
 *       itself, since the tunnel does not exist yet. OkHttp's pre-emptive call before a {@code CONNECT} (scheme
 *       {@code OkHttp-Preemptive}) is not answered: credentials go only to a proxy that asks for Basic, at the
 *       cost of one round trip per new connection.</li>
 *   <li>plain-http targets (loopback, or {@code allowInsecureHttp}): the request itself goes to the proxy, which
 *       is the only party that receives {@code Proxy-Authorization} (a hop-by-hop header it consumes), so a 407
 *       there is answered. Such targets carry tokens and data unencrypted anyway.</li>
 *   <li>only a challenge for the {@code Basic} scheme is answered; a proxy asking for another scheme gets no
 *       credentials, and the 407 fails the request.</li>
 *   <li>credentials the proxy refused once are not sent again.</li>
 * </ul>
 * Thread-safe (immutable).
 */
public final class ProxyAuthenticator implements Authenticator {
  private final String credential;

  /** @param user and {@code password}: Basic credentials for the proxy, encoded in ISO-8859-1 as OkHttp does */
  public ProxyAuthenticator(String user, String password) {
    this.credential = Credentials.basic(user, password);
  }

  @Override
  public Request authenticate(Route route, Response response) {
    if (response.code() != 407 || route == null || route.proxy().type() != Proxy.Type.HTTP) {
      return null;
    }
    Request request = response.request();
    boolean connect = "CONNECT".equals(request.method());
    if (!connect && request.url().isHttps()) {
      return null; // a 407 from inside the tunnel: the origin's, not the proxy's
    }
    if (!asksForBasic(response)) {
      return null;
    }
    if (credential.equals(request.header("Proxy-Authorization"))) {
      return null; // these credentials were refused already
    }
    return request.newBuilder().header("Proxy-Authorization", credential).build();
  }

  private static boolean asksForBasic(Response response) {
    for (Challenge challenge : response.challenges()) {
      if ("Basic".equalsIgnoreCase(challenge.scheme())) {
        return true;
      }
    }
    return false;
  }

  /** Never shows the credentials. */
  @Override
  public String toString() {
    return "ProxyAuthenticator[Basic ****]";
  }
}
