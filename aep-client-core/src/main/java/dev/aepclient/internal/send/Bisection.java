package dev.aepclient.internal.send;

import dev.aepclient.internal.batch.PendingMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The state of splitting one request that AEP refused as a whole with 400: is the cause some messages (isolate
 * and reject them) or the request itself (a header, the sandbox, gzip: every request would be refused, so fail
 * the batch as refused)?
 *
 * <p>A request-level refusal refuses every request, whatever it carries. So single messages refused with the same
 * status and text as the whole request, while nothing of this batch has been accepted yet, are held as
 * <em>suspects</em> rather than rejected. Three such suspects (the first two messages, reached first by the
 * depth-first split, and the batch's last message, probed from the other end), or every message of a batch of
 * two or three, make the refusal request-level. As soon as any part of the batch is accepted, the suspects are
 * rejected as bad messages. Splitting is capped at {@link #budgetFor(int)} requests; a request-level refusal is
 * recognised within about {@code log2(n) + 4}.
 *
 * <p>Used by one batch's chain of requests, which runs one request at a time: not thread-safe, and need not be.
 */
final class Bisection {
  private static final int SUSPECTS_FOR_REQUEST_LEVEL = 3;

  final List<PendingMessage> all;
  final int status;
  final String detail;
  final List<PendingMessage> suspects = new ArrayList<>(SUSPECTS_FOR_REQUEST_LEVEL);
  private int requestsLeft;
  boolean anyAccepted;
  boolean probedLast;

  Bisection(List<PendingMessage> all, int status, String detail) {
    this.all = List.copyOf(all);
    this.status = status;
    this.detail = detail;
    this.requestsLeft = budgetFor(all.size());
  }

  /** Requests a split of {@code n} messages may take: enough to isolate a few bad messages, never 2n − 1. */
  static int budgetFor(int n) {
    int log2 = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)); // ceil(log2 n)
    return 4 * log2 + 4;
  }

  /** Takes one request from the budget; false when it is used up. */
  boolean takeRequest() {
    if (requestsLeft <= 0) {
      return false;
    }
    requestsLeft--;
    return true;
  }

  /** A 400 with the same status and text as the one that started the split. */
  boolean sameRefusal(AttemptOutcome outcome) {
    return outcome.status == status && Objects.equals(outcome.detail, detail);
  }

  /** Whether the suspects seen so far make the refusal request-level. */
  boolean suspectsProveRequestLevel() {
    return !anyAccepted && suspects.size() >= Math.min(SUSPECTS_FOR_REQUEST_LEVEL, all.size());
  }

  /** The batch's last message, to probe from the other end, or null when it is settled or a suspect already. */
  PendingMessage probeCandidate() {
    PendingMessage last = all.get(all.size() - 1);
    return last.isSettled() || suspects.contains(last) ? null : last;
  }
}
