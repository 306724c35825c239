package dev.yardstick.common;

import dev.yardstick.YardstickConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code YARDSTICK_READER_TOKEN}, the read-only token of team figures; none matches when it is unset. */
@ApplicationScoped
public class ReaderToken {

    private final byte[] expected;

    @Inject
    public ReaderToken(YardstickConfig config) {
        this.expected = config.readerToken().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    /** Whether {@code presented} is the reader token, compared in constant time. */
    public boolean matches(String presented) {
        return expected != null && presented != null
                && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
