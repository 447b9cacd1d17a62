package dev.aepclient.testkit.internal;

import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** The simulator's settings, fixed at start. */
public record SimulatorSettings(
    boolean https,
    int port,
    int threads,
    int maxRequestBytes,
    Map<String, Boolean> inlets,
    Map<String, OAuthCredential> oauthCredentials,
    Map<String, JwtCredential> jwtCredentials,
    Duration tokenLifetime,
    String requiredOrgId,
    String requiredSandbox,
    String sandboxHeader,
    String requiredFlowId,
    String idPointer,
    boolean validating,
    boolean keepMessages,
    boolean syncValidationSupported,
    Duration latency,
    Duration jitter,
    long seed,
    long bandwidthBytesPerSecond,
    double requestsPerSecond,
    double messagesPerSecond) {

  /** An OAuth Server-to-Server credential IMS knows. */
  public record OAuthCredential(String clientSecret, Set<String> allowedScopes) {}

  /** A Service Account (JWT) credential IMS knows. */
  public record JwtCredential(String clientSecret, String orgId, String technicalAccountId, PublicKey publicKey,
      String metascope) {}
}
