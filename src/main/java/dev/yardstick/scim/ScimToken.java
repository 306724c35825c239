package dev.yardstick.scim;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code YARDSTICK_SCIM_TOKEN}; none set: SCIM is off. */
@ApplicationScoped
public class ScimToken {

    private final byte[] expected;

    @Inject
    public ScimToken(ScimConfig config) {
        this.expected = config.token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    /** Whether a token is set. */
    public boolean set() {
        return expected != null;
    }

    /** Whether {@code presented} is the token, compared in constant time. */
    public boolean matches(String presented) {
        return expected != null && presented != null
                && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
