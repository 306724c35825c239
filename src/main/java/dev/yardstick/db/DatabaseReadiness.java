package dev.yardstick.db;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: DOWN while the database cannot be reached, UP again as soon as it can, with no detail
 * (the stock datasource check shows the JDBC URL, with host and port, to whoever asks).
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    private static final int VALIDATION_SECONDS = 2;

    @Inject
    DataSource dataSource;

    @Override
    public HealthCheckResponse call() {
        boolean up;
        try (Connection c = dataSource.getConnection()) {
            up = c.isValid(VALIDATION_SECONDS);
        } catch (SQLException | RuntimeException e) {
            up = false;
        }
        return HealthCheckResponse.named("database").status(up).build();
    }
}
