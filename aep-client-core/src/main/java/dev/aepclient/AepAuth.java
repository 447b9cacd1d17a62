package dev.aepclient;

import static dev.aepclient.internal.util.Preconditions.requireText;

import dev.aepclient.auth.AccessTokenProvider;
import dev.aepclient.auth.PrivateKeySource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a client authenticates to an AEP streaming inlet. Immutable; {@link #toString()} masks every secret.
 *
 * <ul>
 *   <li>{@link #oauth(String, String, String)}: OAuth Server-to-Server, the current Adobe credential
 *       ({@code POST {imsUrl}/ims/token/v3}, {@code client_credentials}).
 *   <li>{@link #jwt(String, String, String, String, PrivateKeySource)}: the legacy Service Account (JWT)
 *       credential ({@code POST {imsUrl}/ims/exchange/jwt} with an RS256-signed JWT).
 *   <li>{@link #token(String)}: a token obtained elsewhere; cannot be refreshed.
 *   <li>{@link #provider(AccessTokenProvider)}: tokens from your own code.
 *   <li>{@link #none()}: an unauthenticated inlet. The default.
 * </ul>
 */
public abstract sealed class AepAuth
    permits AepAuth.None, AepAuth.FixedToken, AepAuth.OAuth, AepAuth.Jwt, AepAuth.Provider {

  /** The scopes Adobe documents for Platform API OAuth Server-to-Server credentials. */
  public static final List<String> DEFAULT_SCOPES =
      List.of("openid", "AdobeID", "read_organizations", "additional_info.projectedProductContext", "session");

  /** The metascope the JWT of a Platform Service Account credential carries. */
  public static final List<String> DEFAULT_METASCOPES = List.of("ent_dataservices_sdk");

  private AepAuth() {}

  /** No authentication: for unauthenticated inlets. */
  public static AepAuth none() {
    return None.INSTANCE;
  }

  /**
   * A fixed bearer token. The client cannot refresh it: when AEP answers 401 or 403 the affected messages fail
   * with {@link AepDeliveryException.Reason#AUTHENTICATION}.
   *
   * @throws IllegalArgumentException if {@code accessToken} is null or blank, or has a character an HTTP header
   *     cannot carry (the message never shows the token)
   */
  public static AepAuth token(String accessToken) {
    String token = requireText(accessToken, "access token (aep.auth.token)");
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      // OkHttp's rule for header values: refused here, or every attempt failed locally until the delivery timeout.
      if ((c < ' ' && c != '\t') || c >= 0x7f) {
        throw new IllegalArgumentException("access token (aep.auth.token) has a character not allowed in an HTTP"
            + " header at index " + i + "; the token is not shown");
      }
    }
    return new FixedToken(token);
  }

  /**
   * OAuth Server-to-Server credentials, with {@link #DEFAULT_SCOPES}; change them with {@link OAuth#scopes(List)}.
   *
   * @param clientId     the credential's client id (also sent as {@code x-api-key})
   * @param clientSecret the credential's client secret
   * @param orgId        the IMS org id, {@code …@AdobeOrg} (also sent as {@code x-gw-ims-org-id})
   * @throws IllegalArgumentException if any argument is null or blank
   */
  public static OAuth oauth(String clientId, String clientSecret, String orgId) {
    return new OAuth(requireText(clientId, "client id"), requireText(clientSecret, "client secret"),
        requireText(orgId, "org id"), DEFAULT_SCOPES);
  }

  /**
   * Legacy Service Account (JWT) credentials. Adobe has announced their end of life; prefer
   * {@link #oauth(String, String, String)}.
   *
   * @param clientId           the credential's client id (API key)
   * @param clientSecret       the credential's client secret
   * @param orgId              the IMS org id (the JWT's {@code iss})
   * @param technicalAccountId the technical account id (the JWT's {@code sub})
   * @param privateKey         the RSA key that signs the JWT; read and checked when the client is built
   * @throws IllegalArgumentException if any argument is null or blank
   */
  public static Jwt jwt(String clientId, String clientSecret, String orgId, String technicalAccountId,
      PrivateKeySource privateKey) {
    return new Jwt(requireText(clientId, "client id"), requireText(clientSecret, "client secret"),
        requireText(orgId, "org id"), requireText(technicalAccountId, "technical account id"),
        Objects.requireNonNull(privateKey, "privateKey"), DEFAULT_METASCOPES, Duration.ofHours(1));
  }

  /**
   * Tokens from your own {@link AccessTokenProvider}; the client caches and refreshes them as for IMS.
   *
   * @throws NullPointerException if {@code provider} is null
   */
  public static AepAuth provider(AccessTokenProvider provider) {
    return new Provider(Objects.requireNonNull(provider, "provider"));
  }

  /** The client id, sent as {@code x-api-key}, when this credential has one. */
  public Optional<String> clientId() {
    return Optional.empty();
  }

  /** The IMS org id, sent as {@code x-gw-ims-org-id}, when this credential has one. */
  public Optional<String> orgId() {
    return Optional.empty();
  }

  /** See {@link AepAuth#none()}. */
  public static final class None extends AepAuth {
    static final None INSTANCE = new None();

    private None() {}

    @Override
    public String toString() {
      return "AepAuth.none()";
    }
  }

  /** See {@link AepAuth#token(String)}. */
  public static final class FixedToken extends AepAuth {
    private final String token;

    private FixedToken(String token) {
      this.token = token;
    }

    /** The token. Never log it. */
    public String token() {
      return token;
    }

    @Override
    public String toString() {
      return "AepAuth.token(****)";
    }
  }

  /** See {@link AepAuth#oauth(String, String, String)}. */
  public static final class OAuth extends AepAuth {
    private final String clientId;
    private final String clientSecret;
    private final String orgId;
    private final List<String> scopes;

    private OAuth(String clientId, String clientSecret, String orgId, List<String> scopes) {
      this.clientId = clientId;
      this.clientSecret = clientSecret;
      this.orgId = orgId;
      this.scopes = List.copyOf(scopes);
    }

    /**
     * The same credentials with other scopes (sent comma-separated).
     *
     * @throws IllegalArgumentException if {@code scopes} is empty or holds a blank entry
     */
    public OAuth scopes(List<String> scopes) {
      if (scopes == null || scopes.isEmpty() || scopes.stream().anyMatch(s -> s == null || s.isBlank())) {
        throw new IllegalArgumentException("scopes must be a non-empty list of non-blank scopes");
      }
      return new OAuth(clientId, clientSecret, orgId, scopes);
    }

    @Override
    public Optional<String> clientId() {
      return Optional.of(clientId);
    }

    @Override
    public Optional<String> orgId() {
      return Optional.of(orgId);
    }

    /** The client secret. Never log it. */
    public String clientSecret() {
      return clientSecret;
    }

    /** The OAuth scopes requested, in order; default {@link #DEFAULT_SCOPES}. Unmodifiable. */
    public List<String> scopes() {
      return scopes;
    }

    @Override
    public String toString() {
      return "AepAuth.oauth(clientId=" + clientId + ", clientSecret=****, orgId=" + orgId + ", scopes=" + scopes + ")";
    }
  }

  /** See {@link AepAuth#jwt(String, String, String, String, PrivateKeySource)}. */
  public static final class Jwt extends AepAuth {
    private final String clientId;
    private final String clientSecret;
    private final String orgId;
    private final String technicalAccountId;
    private final PrivateKeySource privateKey;
    private final List<String> metascopes;
    private final Duration jwtLifetime;

    private Jwt(String clientId, String clientSecret, String orgId, String technicalAccountId,
        PrivateKeySource privateKey, List<String> metascopes, Duration jwtLifetime) {
      this.clientId = clientId;
      this.clientSecret = clientSecret;
      this.orgId = orgId;
      this.technicalAccountId = technicalAccountId;
      this.privateKey = privateKey;
      this.metascopes = List.copyOf(metascopes);
      this.jwtLifetime = jwtLifetime;
    }

    /**
     * The same credentials with other metascopes (claims {@code {imsUrl}/s/{metascope}: true}); default
     * {@link #DEFAULT_METASCOPES}.
     *
     * @throws IllegalArgumentException if {@code metascopes} is empty or holds a blank entry
     */
    public Jwt metascopes(List<String> metascopes) {
      if (metascopes == null || metascopes.isEmpty() || metascopes.stream().anyMatch(s -> s == null || s.isBlank())) {
        throw new IllegalArgumentException("metascopes must be a non-empty list of non-blank names");
      }
      return new Jwt(clientId, clientSecret, orgId, technicalAccountId, privateKey, metascopes, jwtLifetime);
    }

    /**
     * How far ahead the signed JWT's {@code exp} lies; default 1 hour.
     *
     * @throws IllegalArgumentException unless between 1 minute and 24 hours (IMS's limit)
     */
    public Jwt jwtLifetime(Duration lifetime) {
      if (lifetime == null || lifetime.compareTo(Duration.ofMinutes(1)) < 0
          || lifetime.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("jwtLifetime must be between 1 minute and 24 hours, got " + lifetime);
      }
      return new Jwt(clientId, clientSecret, orgId, technicalAccountId, privateKey, metascopes, lifetime);
    }

    @Override
    public Optional<String> clientId() {
      return Optional.of(clientId);
    }

    @Override
    public Optional<String> orgId() {
      return Optional.of(orgId);
    }

    /** The client secret. Never log it. */
    public String clientSecret() {
      return clientSecret;
    }

    /** The technical account id ({@code sub} claim of the JWT), {@code …@techacct.adobe.com}. */
    public String technicalAccountId() {
      return technicalAccountId;
    }

    /** Where the RS256 signing key comes from; its {@code toString} never shows the key. */
    public PrivateKeySource privateKey() {
      return privateKey;
    }

    /** The metascopes claimed in the JWT; default {@link #DEFAULT_METASCOPES}. Unmodifiable. */
    public List<String> metascopes() {
      return metascopes;
    }

    /** How far ahead the signed JWT's {@code exp} lies; default 1 hour. */
    public Duration jwtLifetime() {
      return jwtLifetime;
    }

    @Override
    public String toString() {
      return "AepAuth.jwt(clientId=" + clientId + ", clientSecret=****, orgId=" + orgId + ", technicalAccountId="
          + technicalAccountId + ", privateKey=" + privateKey + ")";
    }
  }

  /** See {@link AepAuth#provider(AccessTokenProvider)}. */
  public static final class Provider extends AepAuth {
    private final AccessTokenProvider provider;

    private Provider(AccessTokenProvider provider) {
      this.provider = provider;
    }

    /** Your token source, called on the client's auth thread. */
    public AccessTokenProvider provider() {
      return provider;
    }

    @Override
    public String toString() {
      return "AepAuth.provider(" + provider.getClass().getName() + ")";
    }
  }
}
