package dev.yardstick.scim;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * SCIM 2.0 provisioning ({@code /scim/v2}), prefix {@code yardstick.scim}.
 */
@ConfigMapping(prefix = "yardstick.scim")
public interface ScimConfig {

    /**
     * {@code YARDSTICK_SCIM_TOKEN}: the bearer token the identity provider (Okta, Microsoft Entra ID) sends. Unset:
     * SCIM is off and {@code /scim/v2} answers 503.
     */
    Optional<String> token();
}
