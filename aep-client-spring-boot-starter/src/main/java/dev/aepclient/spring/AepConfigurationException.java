package dev.aepclient.spring;

/**
 * The {@code aep.*} properties could not build a client: the message names the key and the fix (it is the client's
 * own {@link IllegalArgumentException} message, kept as the cause). Reported at start-up by
 * {@link AepConfigurationFailureAnalyzer}.
 */
public class AepConfigurationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception for a configuration the client refused.
   *
   * @param message what is wrong, naming the property
   * @param cause   the client's exception
   */
  public AepConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
