/** Internal to aep-client (see {@link dev.aepclient.internal}); not API. */
package dev.aepclient.internal.util;
