package dev.aepclient.internal.auth;

import dev.aepclient.AepAuth;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.AccessTokenProvider;
import java.io.IOException;
import java.time.Clock;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** OAuth Server-to-Server: {@code POST {ims}/ims/token/v3}, {@code client_credentials}, expires_in in seconds. */
public final class OAuthTokenProvider implements AccessTokenProvider {
  private final AepAuth.OAuth credentials;
  private final ImsTokenEndpoint endpoint;

  public OAuthTokenProvider(AepAuth.OAuth credentials, OkHttpClient http, HttpUrl imsUrl, Clock clock) {
    this.credentials = credentials;
    this.endpoint = new ImsTokenEndpoint(http, imsUrl.newBuilder().addPathSegments("ims/token/v3").build(),
        ImsTokenEndpoint.ExpiresUnit.SECONDS, "OAuth", clock);
  }

  @Override
  public AccessToken fetchToken() throws IOException {
    FormBody form = new FormBody.Builder()
        .add("grant_type", "client_credentials")
        .add("client_id", credentials.clientId().orElseThrow())
        .add("client_secret", credentials.clientSecret())
        .add("scope", String.join(",", credentials.scopes()))
        .build();
    return endpoint.fetch(form, credentials.clientSecret());
  }

  @Override
  public String toString() {
    return "OAuthTokenProvider[" + credentials + "]";
  }
}
