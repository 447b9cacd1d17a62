package dev.aepclient;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The version of aep-client on the class path, as the client sends it in its {@code User-Agent} header
 * ({@code aep-client/{version}}) on every request to AEP and IMS. Read once from a resource the build writes
 * ({@code dev/aepclient/version.properties}). Thread-safe.
 */
public final class AepClientVersion {
  /** What {@link #get()} returns when the build's version resource is missing or unreadable. */
  public static final String UNKNOWN = "unknown";

  // Only what is safe in a header value and in a log line: a version from a broken build must not break requests.
  private static final Pattern SAFE = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
  private static final String VERSION = load();

  private AepClientVersion() {}

  /**
   * The version, for example {@code 0.1.0}; {@value #UNKNOWN} when the class path was not built by the project's
   * build (the resource is missing, unfiltered or malformed). Never null, never throws.
   */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = AepClientVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "").trim();
      return SAFE.matcher(version).matches() ? version : UNKNOWN;
    } catch (IOException | IllegalArgumentException e) {
      return UNKNOWN;
    }
  }
}
