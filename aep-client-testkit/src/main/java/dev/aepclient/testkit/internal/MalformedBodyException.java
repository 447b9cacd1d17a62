package dev.aepclient.testkit.internal;

/** A request body DCS would refuse as a whole (400): not JSON, or not a {@code {"messages":[…]}} envelope. */
public final class MalformedBodyException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedBodyException(String message) {
    super(message, null, false, false);
  }
}
