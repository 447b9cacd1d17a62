package dev.aepclient;

import dev.aepclient.internal.config.ClientConfig;

/** Lets tests read the validated configuration a builder makes, without building a client. */
public final class AepStreamingClientBuilderAccess {
  private AepStreamingClientBuilderAccess() {}

  public static ClientConfig config(AepStreamingClientBuilder builder) {
    return builder.config();
  }
}
