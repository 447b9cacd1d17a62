package dev.aepclient.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aepclient.auth.AccessToken;
import dev.aepclient.auth.ImsAuthException;
import dev.aepclient.internal.util.Json;
import dev.aepclient.internal.util.RemoteText;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts a form to an IMS token endpoint and reads the token out of the answer. 4xx answers are configuration
 * errors ({@link ImsAuthException}, not retried); 5xx answers and I/O errors are retried a few times with
 * back-off, then reported as transient (the caller retries again within its delivery timeout).
 */
final class ImsTokenEndpoint {
  private static final Logger log = LoggerFactory.getLogger(ImsTokenEndpoint.class);

  /** How IMS expresses {@code expires_in}: seconds on /ims/token/v3, milliseconds on /ims/exchange/jwt. */
  enum ExpiresUnit {
    SECONDS(TimeUnit.SECONDS), MILLISECONDS(TimeUnit.MILLISECONDS);

    final TimeUnit unit;

    ExpiresUnit(TimeUnit unit) {
      this.unit = unit;
    }
  }

  /** An IMS answer worth retrying: 5xx or 429. */
  static final class ImsUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    ImsUnavailableException(String message) {
      super(message);
    }
  }

  /** The most read from one IMS answer, after decompression; token answers and error texts are far smaller. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;
  /** The most of IMS's error description quoted in an exception message. */
  static final int MAX_DESCRIPTION_CHARS = 300;

  private static final Duration MAX_LIFETIME = Duration.ofDays(30);

  private final OkHttpClient http;
  private final HttpUrl url;
  private final ExpiresUnit expiresUnit;
  private final String credentialKind;
  private final Clock clock;
  private final RetryPolicy<Object> retry;

  ImsTokenEndpoint(OkHttpClient http, HttpUrl url, ExpiresUnit expiresUnit, String credentialKind, Clock clock) {
    this.http = http;
    this.url = url;
    this.expiresUnit = expiresUnit;
    this.credentialKind = credentialKind;
    this.clock = clock;
    this.retry = RetryPolicy.builder()
        .handle(IOException.class)
        .withMaxRetries(3)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
        .withJitter(0.2)
        .onRetry(e -> log.debug("retrying IMS token request to {} after: {}", url.encodedPath(),
            RemoteText.sanitize(String.valueOf(e.getLastException()))))
        .build();
  }

  /**
   * @param form    the form (OkHttp URL-encodes every value)
   * @param secrets values that must never appear in an error message, masked if IMS echoes them
   */
  AccessToken fetch(FormBody form, String... secrets) throws IOException {
    try {
      return Failsafe.with(retry).get(() -> post(form, secrets));
    } catch (FailsafeException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }

  private AccessToken post(FormBody form, String[] secrets) throws IOException {
    Request request = new Request.Builder().url(url).post(form).header("Accept", "application/json").build();
    try (Response response = http.newCall(request).execute()) {
      int status = response.code();
      if (status >= 300 && status < 400) {
        // Redirects are not followed (they would re-send the form, with the secret, to the Location host):
        // an IMS URL that redirects is a configuration error.
        throw redirected(status, response.header("Location"), secrets);
      }
      String body = boundedBody(response, status);
      if (status == 200) {
        return parseToken(body, secrets);
      }
      if (status == 429 || status >= 500) {
        throw new ImsUnavailableException("IMS " + url.encodedPath() + " answered " + status);
      }
      throw refusal(status, body, secrets);
    }
  }

  /**
   * The answer as text, at most {@link #MAX_ANSWER_BYTES} after OkHttp's transparent gunzip: a token answer is a
   * few hundred bytes, and a small compressed answer can inflate to gigabytes.
   */
  private String boundedBody(Response response, int status) throws IOException {
    Buffer read = new Buffer();
    BufferedSource source = response.body().source();
    while (read.size() <= MAX_ANSWER_BYTES && source.read(read, 8192) != -1) {
      // reads until the end of the answer or just past the bound
    }
    if (read.size() > MAX_ANSWER_BYTES) {
      throw new ImsAuthException(status, "answer_too_large", "IMS " + url.encodedPath() + " answered " + status
          + " with more than " + MAX_ANSWER_BYTES + " bytes (after decompression), which is not an IMS token answer;"
          + " check the IMS URL (aep.ims.url)");
    }
    return read.readUtf8();
  }

  private ImsAuthException redirected(int status, String location, String[] secrets) {
    String target = location == null ? "no Location" : RemoteText.sanitize(masked(location, secrets), 200);
    return new ImsAuthException(status, "redirect", "IMS " + url.encodedPath() + " answered " + status
        + " redirecting to " + target + "; the client does not follow redirects (they would send the credentials"
        + " to another host): set the IMS URL (aep.ims.url) to the base URL that answers directly");
  }

  private AccessToken parseToken(String body, String[] secrets) throws IOException {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new ImsUnavailableException("IMS " + url.encodedPath() + " answered 200 with a body that is not JSON");
    }
    String token = json.path("access_token").asText("");
    if (token.isEmpty()) {
      throw refusal(200, body, secrets);
    }
    // Bounded: a huge or negative expires_in must neither overflow the arithmetic nor cache a token for years.
    long expiresIn = Math.min(json.path("expires_in").asLong(0), expiresUnit.unit.convert(MAX_LIFETIME));
    Instant expiresAt = expiresIn > 0
        ? clock.instant().plusMillis(expiresUnit.unit.toMillis(expiresIn))
        : clock.instant().plus(Duration.ofHours(1)); // IMS always sends it; be conservative if it did not
    log.debug("fetched {} access token from {}, expires at {}", credentialKind, url.encodedPath(), expiresAt);
    return new AccessToken(token, expiresAt);
  }

  private ImsAuthException refusal(int status, String body, String[] secrets) {
    String error = "";
    String description = "";
    try {
      JsonNode json = Json.MAPPER.readTree(body);
      error = json.path("error").asText("");
      description = json.path("error_description").asText("");
    } catch (IOException | RuntimeException e) {
      description = body;
    }
    // Secrets are masked before the remote text is cut: a secret straddling the cut must not keep its first
    // characters. Then control characters are escaped and the length bounded.
    error = RemoteText.sanitize(masked(error, secrets), 100);
    description = RemoteText.sanitize(masked(description, secrets), MAX_DESCRIPTION_CHARS);
    String text = "IMS refused the " + credentialKind + " credentials at " + url.encodedPath() + ": " + status
        + (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : " (" + description + ")")
        + "; check the client id, client secret, org id" + ("OAuth".equals(credentialKind) ? " and scopes" : ", technical account id and key")
        + " (aep.auth.*) and the IMS URL (aep.ims.url)";
    return new ImsAuthException(status, error, text);
  }

  /** {@code text} with every secret, as sent and as form-encoded, replaced by {@code ****}. */
  static String masked(String text, String[] secrets) {
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        text = text.replace(secret, "****");
        String encoded = new FormBody.Builder().add("s", secret).build().encodedValue(0);
        if (!encoded.equals(secret)) {
          text = text.replace(encoded, "****");
        }
      }
    }
    return text;
  }
}
