package dev.aepclient.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP CONNECT proxy on loopback, on raw sockets, that demands {@code Proxy-Authorization} with the
 * scheme it was made with: answers 407 with that challenge until the request carries the expected credential, then
 * opens the tunnel and copies bytes both ways. Records every {@code Proxy-Authorization} it received. Only for
 * tests: one thread per connection, no limits.
 */
final class LoopbackConnectProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String challenge;
  private final String expectedCredential;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final List<String> credentialsReceived = new CopyOnWriteArrayList<>();
  final AtomicInteger challengesSent = new AtomicInteger();
  final AtomicInteger tunnelsOpened = new AtomicInteger();

  /**
   * @param challenge          the {@code Proxy-Authenticate} value of its 407, such as {@code Basic realm="proxy"}
   * @param expectedCredential the {@code Proxy-Authorization} value that opens a tunnel
   */
  LoopbackConnectProxy(String challenge, String expectedCredential) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.challenge = challenge;
    this.expectedCredential = expectedCredential;
    Thread acceptor = new Thread(this::accept, "test-connect-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        start(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      while (true) {
        List<String> head = readHead(in);
        if (head.isEmpty()) {
          client.close();
          return;
        }
        String[] requestLine = head.get(0).split(" ", -1);
        String credential = null;
        for (String line : head.subList(1, head.size())) {
          int colon = line.indexOf(':');
          if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("proxy-authorization")) {
            credential = line.substring(colon + 1).trim();
            credentialsReceived.add(credential);
          }
        }
        if (!"CONNECT".equals(requestLine[0])) {
          out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
          client.close();
          return;
        }
        if (!expectedCredential.equals(credential)) {
          challengesSent.incrementAndGet();
          out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: " + challenge
              + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          continue; // the client may retry on the same connection
        }
        String[] target = requestLine[1].split(":", -1);
        Socket origin = new Socket(target[0], Integer.parseInt(target[1]));
        sockets.add(origin);
        tunnelsOpened.incrementAndGet();
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        start(() -> copy(origin, client));
        copy(client, origin);
        return;
      }
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /** Reads request-head lines up to the empty line, byte by byte, so nothing of the tunnel is consumed. */
  private static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new CopyOnWriteArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
        line.reset();
        if (text.isEmpty()) {
          return lines;
        }
        lines.add(text);
      } else {
        line.write(b);
      }
    }
    return List.of();
  }

  private static void copy(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void start(Runnable task) {
    Thread thread = new Thread(task, "test-connect-proxy-conn");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }
}
