package dev.aepclient.testkit.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The access tokens the simulated IMS issued, and when each expires. Thread-safe. */
public final class TokenStore {
  /** What a presented token turned out to be. */
  public enum Check { VALID, MISSING, UNKNOWN, EXPIRED }

  private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong issued = new AtomicLong();
  private final Clock clock;

  public TokenStore(Clock clock) {
    this.clock = clock;
  }

  public String issue(Duration lifetime) {
    byte[] raw = new byte[24];
    random.nextBytes(raw);
    String token = "sim-" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    expiries.put(token, clock.instant().plus(lifetime));
    issued.incrementAndGet();
    return token;
  }

  /** Checks an {@code Authorization} header value. */
  public Check check(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.substring(7).isBlank()) {
      return Check.MISSING;
    }
    Instant expiry = expiries.get(authorization.substring(7).trim());
    if (expiry == null) {
      return Check.UNKNOWN;
    }
    return clock.instant().isBefore(expiry) ? Check.VALID : Check.EXPIRED;
  }

  /** Every token issued so far stops working now. */
  public void expireAll() {
    Instant now = clock.instant();
    expiries.replaceAll((token, expiry) -> now);
  }

  public long issued() {
    return issued.get();
  }
}
