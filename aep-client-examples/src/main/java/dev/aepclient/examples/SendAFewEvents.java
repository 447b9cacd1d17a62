package dev.aepclient.examples;

import dev.aepclient.AepAuth;
import dev.aepclient.AepMessage;
import dev.aepclient.AepStreamingClient;
import dev.aepclient.Delivery;
import dev.aepclient.XdmHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Send a few XDM events and wait for AEP's receipts. Run: {@code SendAFewEvents <inletUrl> [imsUrl]}. */
public final class SendAFewEvents {
  private SendAFewEvents() {}

  public static void main(String[] args) {
    List<Delivery> receipts = run(args[0], args.length > 1 ? args[1] : null, AepAuth.none());
    receipts.forEach(d -> System.out.println("accepted: " + d.xactionId()));
  }

  /** Sends three events and returns their receipts. */
  public static List<Delivery> run(String inletUrl, String imsUrl, AepAuth auth) {
    var builder = AepStreamingClient.builder().inletUrl(inletUrl).auth(auth);
    if (imsUrl != null) {
      builder.imsUrl(imsUrl);
    }
    XdmHeader header = XdmHeader.builder("https://ns.adobe.com/acme/schemas/page-views")
        .datasetId("6541f2a9c1d84e0029d1b7c3").sourceName("my-service").build();
    try (AepStreamingClient client = builder.build()) {
      List<CompletableFuture<Delivery>> sent = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        sent.add(client.send(AepMessage.xdm(header, "{\"_id\":\"evt-" + i + "\",\"eventType\":\"web.pageView\"}")));
      }
      return sent.stream().map(CompletableFuture::join).toList(); // join throws if AEP refused one
    }
  }
}
