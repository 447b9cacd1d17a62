package dev.aepclient.examples.demo;

import dev.aepclient.AepClientVersion;
import picocli.CommandLine.IVersionProvider;

/** {@code demo --version}: the version of the aep-client it runs on, the one its requests' User-Agent names. */
public final class DemoVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"aep-client demo " + AepClientVersion.get()};
  }
}
