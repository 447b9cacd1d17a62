package dev.aepclient.internal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.aepclient.AepAuth;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.AccessTokenProvider;
import java.io.IOException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.util.Date;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Legacy Service Account (JWT): signs an RS256 JWT ({@code iss} org, {@code sub} technical account,
 * {@code aud} {@code {ims}/c/{clientId}}, metascope claims) and exchanges it at {@code /ims/exchange/jwt};
 * {@code expires_in} comes back in milliseconds.
 */
public final class JwtTokenProvider implements AccessTokenProvider {
  private final AepAuth.Jwt credentials;
  private final RSAPrivateKey key;
  private final String imsBase;
  private final ImsTokenEndpoint endpoint;
  private final Clock clock;

  /** @throws IllegalArgumentException if the private key cannot be read or parsed */
  public JwtTokenProvider(AepAuth.Jwt credentials, OkHttpClient http, HttpUrl imsUrl, Clock clock) {
    this.credentials = credentials;
    this.key = credentials.privateKey().load();
    String base = imsUrl.toString();
    this.imsBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.clock = clock;
    this.endpoint = new ImsTokenEndpoint(http, imsUrl.newBuilder().addPathSegments("ims/exchange/jwt").build(),
        ImsTokenEndpoint.ExpiresUnit.MILLISECONDS, "JWT", clock);
  }

  @Override
  public AccessToken fetchToken() throws IOException {
    String jwt = signedJwt();
    FormBody form = new FormBody.Builder()
        .add("client_id", credentials.clientId().orElseThrow())
        .add("client_secret", credentials.clientSecret())
        .add("jwt_token", jwt)
        .build();
    return endpoint.fetch(form, credentials.clientSecret(), jwt);
  }

  String signedJwt() {
    String clientId = credentials.clientId().orElseThrow();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(credentials.orgId().orElseThrow())
        .subject(credentials.technicalAccountId())
        .audience(imsBase + "/c/" + clientId)
        .expirationTime(Date.from(clock.instant().plus(credentials.jwtLifetime())));
    for (String metascope : credentials.metascopes()) {
      claims.claim(imsBase + "/s/" + metascope, true);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims.build());
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("could not sign the JWT with the configured RSA key: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  @Override
  public String toString() {
    return "JwtTokenProvider[" + credentials + "]";
  }
}
