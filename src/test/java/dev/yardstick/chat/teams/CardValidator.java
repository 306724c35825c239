package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a card against Microsoft's official Adaptive Cards 1.5 JSON schema ({@code schemas/1.5.0/adaptive-card.json}
 * of the microsoft/AdaptiveCards repository, MIT licence, kept as it is in
 * {@code src/test/resources/adaptive-cards/adaptive-card-1.5.0.json}), with the networknt JSON Schema validator
 * (draft-06, the schema's dialect). The schema does not say which version a card declares: that it is 1.5 is checked
 * here too.
 */
final class CardValidator {

    /** Where the official schema is kept among the test resources. */
    static final String SCHEMA = "/adaptive-cards/adaptive-card-1.5.0.json";
    private static final Schema CARD = load();

    private CardValidator() {
    }

    private static Schema load() {
        try (InputStream in = CardValidator.class.getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA + " is missing");
            }
            // the file names itself with draft-04's "id", which draft-06 (its declared dialect) spells "$id"
            ObjectNode doc = (ObjectNode) new ObjectMapper().readTree(in);
            doc.set("$id", doc.remove("id"));
            // the schema's own annotations (which version brought a property, examples) validate nothing
            Dialect draft6 = Dialect.builder(Dialects.getDraft6()).keywords(List.of(new NonValidationKeyword("version"),
                    new NonValidationKeyword("features"), new NonValidationKeyword("example"))).build();
            Schema schema = SchemaRegistry.withDefaultDialect(draft6)
                    .getSchema(SchemaLocation.of(doc.path("$id").asText()), doc);
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problems of a card; empty when it is a valid Adaptive Card 1.5. */
    static List<String> problems(JsonNode card) {
        List<String> out = new ArrayList<>();
        if (!"1.5".equals(card.path("version").asText())) {
            out.add("version is " + card.path("version") + ", not 1.5");
        }
        CARD.validate(card).forEach(e -> out.add(e.toString()));
        return out;
    }
}
