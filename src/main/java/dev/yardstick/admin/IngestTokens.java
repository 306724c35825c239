package dev.yardstick.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Ingest token secrets: 256 random bits, stored as their SHA-256. */
public final class IngestTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private IngestTokens() {
    }

    /** A new secret, shown to the caller once. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "ysk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a secret. A fast hash is enough: the secret has 256 bits of entropy. */
    public static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an active (not revoked) token has this secret. */
    public static boolean isActive(String secret) {
        return IngestToken.count("tokenHash = ?1 and revokedAt is null", hash(secret)) > 0;
    }
}
