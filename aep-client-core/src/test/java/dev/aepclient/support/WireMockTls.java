package dev.aepclient.support;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/** An OkHttp client for tests that talk TLS to WireMock's own self-signed certificate (loopback only). */
public final class WireMockTls {
  private WireMockTls() {}

  /** A builder that trusts any certificate and host name: for a test's WireMock, never for anything else. */
  public static OkHttpClient.Builder trustingBuilder() {
    X509TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {trustAll}, new SecureRandom());
      return new OkHttpClient.Builder()
          .sslSocketFactory(tls.getSocketFactory(), trustAll)
          .hostnameVerifier((host, session) -> true);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
