/** The simulator's implementation. Not API: may change in any release; use {@link dev.aepclient.testkit.AepSimulator}. */
package dev.aepclient.testkit.internal;
