package dev.yardstick.common;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/**
 * The bearer tokens of the API, declared for the OpenAPI document at {@code /q/openapi}: each resource names the
 * ones it accepts. Carries no paths: every resource is part of the application.
 */
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = ApiSecurity.ADMIN, type = SecuritySchemeType.HTTP, scheme = "bearer", description = "The admin token, YARDSTICK_ADMIN_TOKEN: the whole admin API."),
        @SecurityScheme(securitySchemeName = ApiSecurity.READER, type = SecuritySchemeType.HTTP, scheme = "bearer", description = "The reader token, YARDSTICK_READER_TOKEN: read-only figures (team and "
                + "organisation summaries, digest previews) for dashboards."),
        @SecurityScheme(securitySchemeName = ApiSecurity.INGEST, type = SecuritySchemeType.HTTP, scheme = "bearer", description = "An ingest token, created with POST /api/v1/ingest-tokens (admin): usage and outcome "
                + "events, and OTLP; its scope limits which people and teams it may report."),
        @SecurityScheme(securitySchemeName = ApiSecurity.SCIM, type = SecuritySchemeType.HTTP, scheme = "bearer", description = "The SCIM token, YARDSTICK_SCIM_TOKEN, for the identity provider's provisioning "
                + "(/scim/v2).")
})
public class ApiSecurity extends Application {

    /** The admin token's scheme. */
    public static final String ADMIN = "admin";
    /** The reader token's scheme. */
    public static final String READER = "reader";
    /** The ingest tokens' scheme. */
    public static final String INGEST = "ingest";
    /** The SCIM token's scheme. */
    public static final String SCIM = "scim";
}
