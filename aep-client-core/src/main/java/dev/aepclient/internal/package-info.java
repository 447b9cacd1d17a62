/**
 * Implementation of the client. Not API: anything here may change in any release without notice; depend only on
 * {@code dev.aepclient} and {@code dev.aepclient.auth}.
 */
package dev.aepclient.internal;
