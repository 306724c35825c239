package dev.yardstick.scim;

import dev.yardstick.common.Bearer;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Requires {@code Authorization: Bearer $YARDSTICK_SCIM_TOKEN} on {@link ScimOnly} resources, compared in constant
 * time; answers in SCIM's error shape, 503 while no token is set.
 */
@Provider
@ScimOnly
@Priority(Priorities.AUTHENTICATION)
public class ScimAuth implements ContainerRequestFilter {

    @Inject
    ScimToken token;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!token.set()) {
            request.abortWith(ScimJson.error(503, null,
                    "SCIM provisioning is off: set YARDSTICK_SCIM_TOKEN to turn it on."));
            return;
        }
        if (!token.matches(Bearer.token(request))) {
            request.abortWith(jakarta.ws.rs.core.Response.fromResponse(ScimJson.error(401, null,
                    "A valid SCIM bearer token (YARDSTICK_SCIM_TOKEN) is required."))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"yardstick-scim\"").build());
        }
    }
}
