/** The sink's implementation. Not API: may change in any release. */
package dev.aepclient.connect.internal;
