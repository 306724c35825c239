package dev.yardstick.db;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies {@code quarkus.datasource.jdbc.url} and {@code .username} from an embedded PostgreSQL when no
 * URL is configured; its password comes from {@link EmbeddedCredentials}.
 *
 * <p>The server starts only when the URL is first read, that is when the datasource is created at
 * run time. In the {@code test} profile the server is throwaway; otherwise its data lives in
 * {@code yardstick.data-dir} ({@code YARDSTICK_DATA_DIR}, default {@code ./data}) and survives restarts.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue configured = context.getValue(URL);
        if (configured != null && configured.getValue() != null && !configured.getValue().isBlank()) {
            return List.of();
        }
        boolean throwaway = context.getProfiles().contains("test");
        ConfigValue dataDir = context.getValue("yardstick.data-dir");
        Path dir = throwaway
                ? null
                : Path.of(dataDir != null && dataDir.getValue() != null ? dataDir.getValue() : "data");
        return List.of(new LazySource(dir));
    }

    @Override
    public java.util.OptionalInt getPriority() {
        return java.util.OptionalInt.of(50);
    }

    private static final class LazySource implements ConfigSource {

        private final Path dataDir;

        LazySource(Path dataDir) {
            this.dataDir = dataDir;
        }

        /**
         * Empty on purpose: Quarkus records the values of listed properties at build time, which
         * would start a server during the build and bake its URL into the application.
         */
        @Override
        public Set<String> getPropertyNames() {
            return Set.of();
        }

        @Override
        public Map<String, String> getProperties() {
            return Map.of();
        }

        @Override
        public String getValue(String propertyName) {
            if (URL.equals(propertyName)) {
                return EmbeddedDatabase.jdbcUrl(dataDir);
            }
            if ("quarkus.datasource.username".equals(propertyName)) {
                return EmbeddedDatabase.user();
            }
            return null;
        }

        @Override
        public int getOrdinal() {
            return 50;
        }

        @Override
        public String getName() {
            return "yardstick-embedded-postgres";
        }
    }
}
