/** Credentials and token sources for {@link dev.aepclient.AepAuth}: plug in your own with {@link dev.aepclient.auth.AccessTokenProvider}. */
package dev.aepclient.auth;
