/** The adapter's implementation. Not API: may change in any release. */
package dev.aepclient.kafka.internal;
