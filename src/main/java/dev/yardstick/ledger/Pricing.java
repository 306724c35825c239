package dev.yardstick.ledger;

import com.fasterxml.jackson.databind.DeserializationFeature;
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
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * List prices per model, from the shipped {@code pricing.json} or the file at
 * {@code YARDSTICK_PRICING_FILE}, in Yardstick's own format or LiteLLM's
 * {@code model_prices_and_context_window.json}. See {@code docs/pricing.md} for the formats and matching rules.
 */
@ApplicationScoped
public class Pricing {

    private static final Logger LOG = Logger.getLogger(Pricing.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final int MAX_CACHED = 10_000;
    private static final Pattern DATE_SUFFIX = Pattern.compile("(-\\d{8}|-\\d{4}-\\d{2}-\\d{2}|@.*)$");
    private static final Pattern LITELLM_TIER = Pattern.compile("^input_cost_per_token_above_(\\d+)k_tokens$");
    private static final Set<String> LITELLM_MODES = Set.of("chat", "completion", "responses");
    private static final Set<String> EFFICIENT_PARTS = Set.of("haiku", "mini", "nano", "flash", "lite", "luna");

    /**
     * The prices of requests whose prompt (input, cache reads and cache writes) is longer than {@code above}
     * tokens, in USD per million tokens: such a request is billed at these prices throughout.
     */
    public record LongContext(long above, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
            BigDecimal cacheWrite, BigDecimal cacheWrite1h) {
    }

    /**
     * Prices of one model in USD per million tokens, and its tier ({@code premium} or {@code efficient}).
     *
     * @param cacheWrite   the price of a cache write (Anthropic's 5-minute write)
     * @param cacheWrite1h the price of a one-hour cache write
     * @param longContext  the long-context tiers, by ascending {@code above}; empty when prices do not depend on it
     */
    public record Price(String model, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
            BigDecimal cacheWrite, String tier, BigDecimal cacheWrite1h, List<LongContext> longContext) {

        /** A price without a one-hour cache write price of its own or long-context tiers. */
        public Price(String model, BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite,
                String tier) {
            this(model, input, output, cacheRead, cacheWrite, tier, cacheWrite, List.of());
        }

        /** The cost of the given token counts at the base tier, in USD (counts of any number of requests). */
        public BigDecimal cost(long in, long out, long cacheRead, long cacheWrite) {
            return cost(in, out, cacheRead, cacheWrite, 0, 0);
        }

        /**
         * The cost of the given token counts, in USD.
         *
         * @param cacheWrite1h how many of the {@code cacheWrite} tokens were one-hour cache writes
         * @param requests     how many requests the counts cover: a long-context tier applies only to the counts
         *                     of one request, whose prompt is then known
         */
        public BigDecimal cost(long in, long out, long cacheRead, long cacheWrite, long cacheWrite1h, int requests) {
            long oneHour = Math.max(0, Math.min(cacheWrite1h, cacheWrite));
            BigDecimal pIn = input, pOut = output, pRead = this.cacheRead, pWrite = this.cacheWrite,
                    pWrite1h = this.cacheWrite1h;
            if (requests == 1) {
                long prompt = in + cacheRead + cacheWrite;
                for (LongContext t : longContext) {
                    if (prompt > t.above()) {
                        pIn = t.input();
                        pOut = t.output();
                        pRead = t.cacheRead();
                        pWrite = t.cacheWrite();
                        pWrite1h = t.cacheWrite1h();
                    }
                }
            }
            return pIn.multiply(BigDecimal.valueOf(in))
                    .add(pOut.multiply(BigDecimal.valueOf(out)))
                    .add(pRead.multiply(BigDecimal.valueOf(cacheRead)))
                    .add(pWrite.multiply(BigDecimal.valueOf(cacheWrite - oneHour)))
                    .add(pWrite1h.multiply(BigDecimal.valueOf(oneHour)))
                    .divide(MILLION, 8, RoundingMode.HALF_UP);
        }
    }

    @Inject
    YardstickConfig config;
    @Inject
    ObjectMapper mapper;

    private final Map<String, Price> byName = new HashMap<>();
    private final Map<String, String> cheaperOf = new HashMap<>();
    private final Map<String, Optional<Price>> resolved = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        load(config.pricingFile());
    }

    /** Loads the table from {@code file}, or the shipped one when empty. */
    void load(Optional<java.nio.file.Path> file) {
        try (InputStream in = open(file)) {
            JsonNode root = mapper.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
            String format;
            if (root.has("models")) {
                format = "Yardstick";
                loadOwn(root);
            } else if (root.isObject()) {
                format = "LiteLLM";
                loadLiteLlm(root);
            } else {
                throw new IOException("neither Yardstick's format ({\"models\": [...]}) nor LiteLLM's");
            }
            LOG.infof("Pricing table: %d models and aliases (%s format) from %s", byName.size(), format,
                    file.map(Object::toString).orElse("the shipped pricing.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the pricing table", e);
        }
    }

    private void loadOwn(JsonNode root) {
        for (JsonNode m : root.path("models")) {
            String model = m.path("model").asText().toLowerCase(Locale.ROOT);
            BigDecimal input = m.path("input").decimalValue();
            BigDecimal output = m.path("output").decimalValue();
            BigDecimal cacheRead = m.path("cacheRead").decimalValue();
            BigDecimal cacheWrite = m.path("cacheWrite").decimalValue();
            BigDecimal cacheWrite1h = or(m.path("cacheWrite1h"), cacheWrite);
            List<LongContext> tiers = new ArrayList<>();
            for (JsonNode t : m.path("longContext")) {
                BigDecimal longWrite = or(t.path("cacheWrite"), cacheWrite);
                tiers.add(new LongContext(t.path("above").asLong(), or(t.path("input"), input),
                        or(t.path("output"), output), or(t.path("cacheRead"), cacheRead), longWrite,
                        or(t.path("cacheWrite1h"), scaled(longWrite, cacheWrite1h, cacheWrite))));
            }
            tiers.sort(Comparator.comparingLong(LongContext::above));
            Price price = new Price(model, input, output, cacheRead, cacheWrite, m.path("tier").asText("premium"),
                    cacheWrite1h, List.copyOf(tiers));
            byName.put(model, price);
            if (m.path("cheaper").isTextual() && !m.path("cheaper").asText().isBlank()) {
                cheaperOf.put(model, m.path("cheaper").asText().trim().toLowerCase(Locale.ROOT));
            }
            for (JsonNode alias : m.path("aliases")) {
                byName.putIfAbsent(alias.asText().toLowerCase(Locale.ROOT), price);
            }
        }
    }

    /**
     * LiteLLM's {@code model_prices_and_context_window.json}: an object of models, prices in USD per token. Only
     * token-priced chat, completion and responses models are read; {@code sample_spec} is LiteLLM's description
     * of the format, not a model.
     */
    private void loadLiteLlm(JsonNode root) {
        Map<String, Price> stripped = new HashMap<>();
        root.fields().forEachRemaining(entry -> {
            String key = entry.getKey().toLowerCase(Locale.ROOT);
            JsonNode m = entry.getValue();
            if ("sample_spec".equals(key) || !m.isObject()
                    || m.hasNonNull("mode") && !LITELLM_MODES.contains(m.path("mode").asText())
                    || !m.path("input_cost_per_token").isNumber() || !m.path("output_cost_per_token").isNumber()) {
                return;
            }
            BigDecimal input = perMillion(m.path("input_cost_per_token"), null);
            BigDecimal output = perMillion(m.path("output_cost_per_token"), null);
            BigDecimal cacheRead = perMillion(m.path("cache_read_input_token_cost"), input);
            BigDecimal cacheWrite = perMillion(m.path("cache_creation_input_token_cost"), input);
            BigDecimal cacheWrite1h = perMillion(m.path("cache_creation_input_token_cost_above_1hr"), cacheWrite);
            List<LongContext> tiers = new ArrayList<>();
            m.fieldNames().forEachRemaining(field -> {
                Matcher tier = LITELLM_TIER.matcher(field);
                if (tier.matches() && m.path(field).isNumber()) {
                    String above = "_above_" + tier.group(1) + "k_tokens";
                    BigDecimal longWrite = perMillion(m.path("cache_creation_input_token_cost" + above), cacheWrite);
                    tiers.add(new LongContext(Long.parseLong(tier.group(1)) * 1000, perMillion(m.path(field), input),
                            perMillion(m.path("output_cost_per_token" + above), output),
                            perMillion(m.path("cache_read_input_token_cost" + above), cacheRead), longWrite,
                            perMillion(m.path("cache_creation_input_token_cost_above_1hr" + above),
                                    scaled(longWrite, cacheWrite1h, cacheWrite))));
                }
            });
            tiers.sort(Comparator.comparingLong(LongContext::above));
            Price price = new Price(key, input, output, cacheRead, cacheWrite, tierOf(key), cacheWrite1h,
                    List.copyOf(tiers));
            byName.put(key, price);
            String provider = m.path("litellm_provider").asText("").toLowerCase(Locale.ROOT);
            if (!provider.isEmpty() && key.startsWith(provider + "/")) {
                stripped.putIfAbsent(key.substring(provider.length() + 1), price);
            }
        });
        stripped.forEach(byName::putIfAbsent);
    }

    /** {@code efficient} when a {@code -}, {@code .} or {@code /} separated part of the name says so. */
    static String tierOf(String model) {
        for (String part : model.split("[-./]")) {
            if (EFFICIENT_PARTS.contains(part)) {
                return "efficient";
            }
        }
        return "premium";
    }

    private static BigDecimal perMillion(JsonNode perToken, BigDecimal fallback) {
        return perToken.isNumber() ? perToken.decimalValue().movePointRight(6).stripTrailingZeros() : fallback;
    }

    /**
     * A long-context tier's one-hour write price when it has none of its own: its cache write price in the base
     * tier's ratio of one-hour to 5-minute writes (Anthropic's rule: 2 x and 1.25 x the input price of the tier).
     */
    private static BigDecimal scaled(BigDecimal longWrite, BigDecimal baseWrite1h, BigDecimal baseWrite) {
        return baseWrite.signum() == 0
                ? baseWrite1h
                : longWrite.multiply(baseWrite1h).divide(baseWrite, MathContext.DECIMAL64).stripTrailingZeros();
    }

    private static BigDecimal or(JsonNode value, BigDecimal fallback) {
        return value.isNumber() ? value.decimalValue() : fallback;
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

    /**
     * The efficient model a table in Yardstick's format names for a model's short requests ({@code "cheaper"}), if
     * any; see {@link ModelRouting}.
     *
     * @param model the model's id in the table ({@link Price#model()})
     */
    public Optional<String> cheaperOf(String model) {
        return Optional.ofNullable(cheaperOf.get(model));
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
