package dev.aepclient.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;

/**
 * Where the RSA private key of a legacy Service Account (JWT) credential comes from: a file (PEM or PKCS#8 DER),
 * a PEM string (for secrets handed in through the environment), DER bytes, or a {@link PrivateKey} already
 * loaded. PEM may be PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}); encrypted keys
 * are not supported. {@link #toString()} never shows key material.
 */
public final class PrivateKeySource {
  private final String description;
  private final Loader loader;
  private final RSAPrivateKey preloaded;

  @FunctionalInterface
  private interface Loader {
    byte[] read() throws IOException;
  }

  private PrivateKeySource(String description, Loader loader, RSAPrivateKey preloaded) {
    this.description = description;
    this.loader = loader;
    this.preloaded = preloaded;
  }

  /** A key file, PEM or PKCS#8 DER (detected from its content). Read when the client is built. */
  public static PrivateKeySource fromFile(Path path) {
    Objects.requireNonNull(path, "path");
    return new PrivateKeySource("file " + path, () -> Files.readAllBytes(path), null);
  }

  /** A PEM-encoded key, PKCS#8 or PKCS#1. */
  public static PrivateKeySource fromPem(String pem) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("PEM private key is empty");
    }
    byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
    return new PrivateKeySource("PEM value", () -> bytes, null);
  }

  /** A PKCS#8 DER-encoded key. The array is copied. */
  public static PrivateKeySource fromDer(byte[] pkcs8Der) {
    if (pkcs8Der == null || pkcs8Der.length == 0) {
      throw new IllegalArgumentException("DER private key is empty");
    }
    byte[] bytes = pkcs8Der.clone();
    return new PrivateKeySource("DER value", () -> bytes, null);
  }

  /** A key already loaded; must be an RSA key. */
  public static PrivateKeySource of(PrivateKey key) {
    if (!(key instanceof RSAPrivateKey rsa)) {
      throw new IllegalArgumentException("JWT signing needs an RSA private key, got "
          + (key == null ? "null" : key.getAlgorithm()));
    }
    return new PrivateKeySource("PrivateKey object", null, rsa);
  }

  /**
   * Reads and parses the key.
   *
   * @throws IllegalArgumentException naming the source (never the content) when it cannot be read or parsed
   */
  public RSAPrivateKey load() {
    if (preloaded != null) {
      return preloaded;
    }
    byte[] raw;
    try {
      raw = loader.read();
    } catch (IOException e) {
      throw new IllegalArgumentException("JWT private key unreadable (" + description + "): " + e, e);
    }
    try {
      return parse(raw);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("JWT private key in " + description
          + " is not an unencrypted RSA key in PKCS#8/PKCS#1 PEM or PKCS#8 DER form (" + e.getClass().getSimpleName()
          + "); convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem", null);
    }
  }

  private static RSAPrivateKey parse(byte[] raw) throws GeneralSecurityException {
    String text = new String(raw, StandardCharsets.US_ASCII);
    byte[] der;
    if (text.contains("-----BEGIN")) {
      if (text.contains("ENCRYPTED")) {
        throw new GeneralSecurityException("encrypted key");
      }
      boolean pkcs1 = text.contains("BEGIN RSA PRIVATE KEY");
      String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      der = Base64.getDecoder().decode(base64);
      if (pkcs1) {
        der = pkcs1ToPkcs8(der);
      }
    } else {
      der = raw;
    }
    return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL params). */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octetString = derElement((byte) 0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octetString.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octetString, 0, body, version.length + algorithm.length, octetString.length);
    return derElement((byte) 0x30, body);
  }

  private static byte[] derElement(byte tag, byte[] content) {
    int len = content.length;
    byte[] header;
    if (len < 0x80) {
      header = new byte[] {tag, (byte) len};
    } else if (len < 0x100) {
      header = new byte[] {tag, (byte) 0x81, (byte) len};
    } else if (len < 0x10000) {
      header = new byte[] {tag, (byte) 0x82, (byte) (len >> 8), (byte) len};
    } else {
      header = new byte[] {tag, (byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
    }
    byte[] out = new byte[header.length + len];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(content, 0, out, header.length, len);
    return out;
  }

  @Override
  public String toString() {
    return "PrivateKeySource[" + description + "]";
  }
}
