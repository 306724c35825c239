package dev.yardstick.common;

import dev.yardstick.YardstickConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * The admin bearer token. In dev mode with no {@code YARDSTICK_ADMIN_TOKEN} one is generated and
 * logged once at startup; otherwise, with none set, no token matches and startup logs a warning.
 */
@ApplicationScoped
@Startup
public class AdminToken {

    private static final Logger LOG = Logger.getLogger(AdminToken.class);

    /** Keeps the generated dev-mode token across live reloads of the same JVM. */
    private static final String DEV_TOKEN = "dev.yardstick.generated-admin-token";

    private final byte[] expected;

    @Inject
    public AdminToken(YardstickConfig config) {
        String token = config.adminToken().filter(t -> !t.isBlank()).orElse(null);
        if (token == null && LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            token = System.getProperty(DEV_TOKEN);
            if (token == null) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                token = "dev-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                System.setProperty(DEV_TOKEN, token);
                LOG.infof("No YARDSTICK_ADMIN_TOKEN set; this dev-mode run uses the admin token %s", token);
            }
        } else if (token == null) {
            LOG.warn("YARDSTICK_ADMIN_TOKEN is not set: the admin API answers 401 to every request");
        }
        this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code presented} is the admin token, compared in constant time. */
    public boolean matches(String presented) {
        return expected != null && presented != null
                && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
