package dev.aepclient.testkit.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Sends answers now or later without keeping a server thread per waiting request: a held answer is a task on one
 * timer thread, and when it is due the write runs on the server's pool. The JDK server lets an exchange be finished
 * from any thread after its handler returned, which is what makes this possible. Also holds exchanges that must
 * never be answered until {@link #close()}. Thread-safe.
 */
public final class Responder implements AutoCloseable {
  /** Pieces a slow body is cut into. */
  private static final int TRICKLE_PIECES = 20;

  private final Executor pool;
  private final ScheduledThreadPoolExecutor timer;
  private final Set<HttpExchange> held = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public Responder(Executor pool) {
    this.pool = pool;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "aep-simulator-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** The timer, for callers that schedule their own work. */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /**
   * Answers {@code status} with {@code body} after {@code delayNanos}, the body trickled over {@code trickleNanos}
   * (0: at once). {@code onSent} runs just before the last bytes are written (so a client holding the whole answer
   * finds it done) and {@code onFailed} if that write fails. Closes the exchange in every case.
   */
  public void send(HttpExchange exchange, int status, byte[] body, long delayNanos, long trickleNanos,
      Runnable onSent, Runnable onFailed) {
    Runnable write = trickleNanos > 0 ? () -> startTrickle(exchange, status, body, trickleNanos, onSent, onFailed)
        : () -> writeWhole(exchange, status, body, onSent, onFailed);
    later(exchange, delayNanos, write);
  }

  /** Closes the connection without an answer. */
  public void drop(HttpExchange exchange) {
    exchange.close();
  }

  /** Never answers; the connection is closed by {@link #close()}. */
  public void hold(HttpExchange exchange) {
    held.add(exchange);
    if (closed && held.remove(exchange)) {
      exchange.close();
    }
  }

  private void later(HttpExchange exchange, long delayNanos, Runnable task) {
    if (delayNanos <= 0) {
      task.run();
      return;
    }
    held.add(exchange);
    try {
      var unused = timer.schedule(() -> {
        if (held.remove(exchange)) {
          onPool(exchange, task);
        }
      }, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      held.remove(exchange);
      exchange.close();
    }
  }

  private void onPool(HttpExchange exchange, Runnable task) {
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      exchange.close();
    }
  }

  private static void writeWhole(HttpExchange exchange, int status, byte[] body, Runnable onSent,
      Runnable onFailed) {
    boolean sent = false;
    try {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      onSent.run();
      sent = true;
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      if (sent) {
        onFailed.run(); // the client went away before it had the answer
      }
    } finally {
      exchange.close();
    }
  }

  private void startTrickle(HttpExchange exchange, int status, byte[] body, long trickleNanos, Runnable onSent,
      Runnable onFailed) {
    try {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().flush();
    } catch (IOException e) {
      exchange.close();
      return;
    }
    int pieces = Math.max(1, Math.min(TRICKLE_PIECES, body.length));
    trickle(exchange, body, 0, pieces, trickleNanos / pieces, onSent, onFailed);
  }

  private void trickle(HttpExchange exchange, byte[] body, int piece, int pieces, long stepNanos, Runnable onSent,
      Runnable onFailed) {
    later(exchange, stepNanos, () -> {
      int from = (int) ((long) body.length * piece / pieces);
      int to = (int) ((long) body.length * (piece + 1) / pieces);
      boolean last = piece + 1 == pieces;
      try {
        if (last) {
          onSent.run();
        }
        OutputStream out = exchange.getResponseBody();
        out.write(body, from, to - from);
        out.flush();
        if (last) {
          out.close();
          exchange.close();
        } else {
          trickle(exchange, body, piece + 1, pieces, stepNanos, onSent, onFailed);
        }
      } catch (IOException e) {
        if (last) {
          onFailed.run();
        }
        exchange.close();
      }
    });
  }

  /** Closes every held or waiting exchange (their connections drop) and stops the timer. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    for (HttpExchange exchange : List.copyOf(held)) {
      if (held.remove(exchange)) { // a concurrent send may have taken it first
        exchange.close();
      }
    }
  }
}
