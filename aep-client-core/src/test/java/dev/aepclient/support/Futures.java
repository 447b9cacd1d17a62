package dev.aepclient.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for outcomes with a bound, so a hung future fails the test instead of hanging it. */
public final class Futures {
  private Futures() {}

  /** The exception the future failed with; fails the test if it succeeded or took longer than 30 s. */
  public static Throwable failure(CompletableFuture<?> future) {
    try {
      Object value = future.get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("future did not complete within 30 s", e);
    }
  }

  /** The future's value; fails the test if it failed or took longer than 30 s. */
  public static <T> T value(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("future did not complete within 30 s", e);
    }
  }
}
