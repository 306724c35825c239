package dev.yardstick.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.YardstickConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * List prices per model, from the shipped {@code pricing.json} or the file at
 * {@code YARDSTICK_PRICING_FILE}. See {@code docs/pricing.md} for the matching rules.
 */
@ApplicationScoped
public class Pricing {

    private static final Logger LOG = Logger.getLogger(Pricing.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final int MAX_CACHED = 10_000;
    private static final Pattern DATE_SUFFIX = Pattern.compile("(-\\d{8}|-\\d{4}-\\d{2}-\\d{2}|@.*)$");

    /** Prices of one model in USD per million tokens, and its tier ({@code premium} or {@code efficient}). */
    public record Price(String model, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
            BigDecimal cacheWrite, String tier) {

        /** The cost of the given token counts, in USD. */
        public BigDecimal cost(long in, long out, long cacheRead, long cacheWrite) {
            return input.multiply(BigDecimal.valueOf(in))
                    .add(output.multiply(BigDecimal.valueOf(out)))
                    .add(this.cacheRead.multiply(BigDecimal.valueOf(cacheRead)))
                    .add(this.cacheWrite.multiply(BigDecimal.valueOf(cacheWrite)))
                    .divide(MILLION, 8, RoundingMode.HALF_UP);
        }
    }

    @Inject
    YardstickConfig config;
    @Inject
    ObjectMapper mapper;

    private final Map<String, Price> byName = new HashMap<>();
    private final Map<String, Optional<Price>> resolved = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        load(config.pricingFile());
    }

    /** Loads the table from {@code file}, or the shipped one when empty. */
    void load(Optional<java.nio.file.Path> file) {
        try (InputStream in = open(file)) {
            JsonNode root = mapper.readTree(in);
            for (JsonNode m : root.path("models")) {
                String model = m.path("model").asText().toLowerCase(Locale.ROOT);
                Price price = new Price(model, m.path("input").decimalValue(), m.path("output").decimalValue(),
                        m.path("cacheRead").decimalValue(), m.path("cacheWrite").decimalValue(),
                        m.path("tier").asText("premium"));
                byName.put(model, price);
                for (JsonNode alias : m.path("aliases")) {
                    byName.putIfAbsent(alias.asText().toLowerCase(Locale.ROOT), price);
                }
            }
            LOG.infof("Pricing table: %d models and aliases from %s", byName.size(),
                    file.map(Object::toString).orElse("the shipped pricing.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the pricing table", e);
        }
    }

    private static InputStream open(Optional<java.nio.file.Path> file) throws IOException {
        if (file.isPresent()) {
            return Files.newInputStream(file.get());
        }
        InputStream in = Pricing.class.getClassLoader().getResourceAsStream("pricing.json");
        if (in == null) {
            throw new IOException("pricing.json is missing from the classpath");
        }
        return in;
    }

    /** The price of a model by exact id, alias, or id without a date or version suffix. */
    public Optional<Price> lookup(String model) {
        Optional<Price> known = resolved.get(model);
        if (known != null) {
            return known;
        }
        String name = model.trim().toLowerCase(Locale.ROOT);
        Price p = byName.get(name);
        if (p == null) {
            p = byName.get(DATE_SUFFIX.matcher(name).replaceFirst(""));
        }
        Optional<Price> result = Optional.ofNullable(p);
        if (resolved.size() < MAX_CACHED) {
            resolved.put(model, result);
        }
        return result;
    }
}
