package dev.yardstick.common;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/** Requires {@code Authorization: Bearer $YARDSTICK_ADMIN_TOKEN} on {@link AdminOnly} resources. */
@Provider
@AdminOnly
@Priority(Priorities.AUTHENTICATION)
public class AdminAuth implements ContainerRequestFilter {

    @Inject
    AdminToken adminToken;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!adminToken.matches(Bearer.token(request))) {
            request.abortWith(Problem.unauthorized("yardstick-admin", "A valid admin bearer token is required."));
        }
    }
}
