package dev.aepclient.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

/** Messages matching {@code when} are refused with {@code status} and {@code message}; the first match wins. */
public record RejectionRule(Predicate<JsonNode> when, int status, String message) {}
