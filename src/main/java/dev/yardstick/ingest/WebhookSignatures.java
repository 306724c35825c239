package dev.yardstick.ingest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 signatures and shared tokens of webhook requests, compared in constant time. */
public final class WebhookSignatures {

    private WebhookSignatures() {
    }

    /** The lower-case hex HMAC-SHA256 of {@code body} under {@code secret}. */
    public static String hmacHex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code presented} is the hex HMAC-SHA256 of {@code body} under {@code secret}, after
     * {@code prefix} (such as {@code sha256=}); hex digits in either case.
     */
    public static boolean signatureMatches(String secret, byte[] body, String prefix, String presented) {
        if (presented == null) {
            return false;
        }
        String expected = prefix + hmacHex(secret, body);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code presented} is {@code secret}, compared in constant time. */
    public static boolean tokenMatches(String secret, String presented) {
        return presented != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
