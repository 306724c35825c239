package dev.yardstick.db;

import io.quarkus.arc.Unremovable;
import io.quarkus.credentials.CredentialsProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The datasource's password when it is the embedded PostgreSQL: the generated one from its data
 * directory, asked for each new connection ({@code quarkus.datasource.credentials-provider}). For any
 * other database nothing, so {@code QUARKUS_DATASOURCE_PASSWORD} applies.
 *
 * <p>Not a configuration value: Quarkus reads the datasource credentials while building the application,
 * where a lazily started server's password must not be read, let alone recorded.
 */
@ApplicationScoped
@Unremovable
@Named(EmbeddedCredentials.NAME)
public class EmbeddedCredentials implements CredentialsProvider {

    /** The bean name set in {@code quarkus.datasource.credentials-provider-name}. */
    public static final String NAME = "yardstick-embedded-postgres";

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        String url = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.jdbc.url", String.class)
                .orElse(null);
        return EmbeddedDatabase.password(url).map(p -> Map.of(PASSWORD_PROPERTY_NAME, p)).orElse(Map.of());
    }
}
