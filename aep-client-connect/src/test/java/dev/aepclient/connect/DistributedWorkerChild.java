package dev.aepclient.connect;

import java.util.HashMap;
import java.util.Map;

/**
 * The Connect worker {@link DistributedSinkKillTest} kills with SIGKILL: a distributed worker started exactly as the
 * in-process ones ({@link ConnectWorker#distributed}), in its own JVM so that a kill leaves no shutdown hook, no
 * closing offset commit and no leave-group behind. It prints {@code started <worker id>} once its REST server is
 * up, then waits; it halts by itself only when its parent's end of stdin closes (the test JVM died), so that no
 * orphan outlives a broken run.
 *
 * <p>Arguments: bootstrap servers, the cluster's group id, then worker properties as {@code key=value}.
 */
public final class DistributedWorkerChild {
  private DistributedWorkerChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> overrides = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      overrides.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    ConnectWorker worker = ConnectWorker.distributed(args[0], args[1], 60_000, overrides);
    System.out.println("started " + worker.workerId());
    System.out.flush();
    while (System.in.read() != -1) {
      // the parent never writes; EOF means it is gone
    }
    Runtime.getRuntime().halt(3);
  }
}
