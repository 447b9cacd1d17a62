package dev.aepclient.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Checks a JWT as IMS's {@code /ims/exchange/jwt} does for a Service Account credential: RS256 signature by the
 * registered key, {@code iss} the org, {@code sub} the technical account, {@code aud} {@code {ims}/c/{clientId}},
 * {@code exp} in the future and at most 24 h ahead, and the metascope claim set to true.
 */
public final class JwtVerifier {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JwtVerifier() {}

  /** Why {@code jwt} is not valid: null when it is. */
  public static String problem(String jwt, PublicKey key, String imsBase, String clientId, String orgId,
      String technicalAccountId, String metascope, Instant now) {
    String[] parts = jwt == null ? new String[0] : jwt.split("\\.");
    if (parts.length != 3) {
      return "jwt_token is not a signed JWT";
    }
    try {
      JsonNode header = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
      if (!"RS256".equals(header.path("alg").asText())) {
        return "JWT must be signed with RS256, got " + header.path("alg").asText();
      }
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(key);
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        return "JWT signature does not verify with the registered public key";
      }
      JsonNode claims = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
      if (!orgId.equals(claims.path("iss").asText())) {
        return "JWT iss is not the org id";
      }
      if (!technicalAccountId.equals(claims.path("sub").asText())) {
        return "JWT sub is not the technical account id";
      }
      String audience = imsBase + "/c/" + clientId;
      JsonNode aud = claims.path("aud");
      boolean audOk = aud.isArray() ? aud.size() == 1 && audience.equals(aud.get(0).asText())
          : audience.equals(aud.asText());
      if (!audOk) {
        return "JWT aud must be " + audience;
      }
      Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong(0));
      if (!exp.isAfter(now)) {
        return "JWT has expired";
      }
      if (exp.isAfter(now.plus(Duration.ofHours(24)).plusSeconds(60))) {
        return "JWT exp is more than 24 hours ahead";
      }
      if (!claims.path(imsBase + "/s/" + metascope).asBoolean(false)) {
        return "JWT lacks the metascope claim " + imsBase + "/s/" + metascope;
      }
      return null;
    } catch (GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
      return "JWT could not be read: " + e.getClass().getSimpleName();
    }
  }
}
