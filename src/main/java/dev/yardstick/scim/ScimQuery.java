package dev.yardstick.scim;

import com.fasterxml.jackson.databind.node.ValueNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.filters.ComparisonFilter;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.filters.FilterType;
import dev.yardstick.admin.Provisioning.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The query of a list request: its {@code filter} (parsed by the SCIM SDK; {@code eq} on the attributes given, and
 * {@code and} of such tests) and its page ({@code startIndex} from 1, {@code count} up to {@link #MAX_COUNT}).
 */
record ScimQuery(List<Match> matches, int startIndex, int count) {

    /** Most resources in one page (the ServiceProviderConfig's {@code filter.maxResults}). */
    static final int MAX_COUNT = 200;
    /** Resources in a page when {@code count} is not given. */
    static final int DEFAULT_COUNT = 100;

    /** A map of filterable attributes, {@code (scimName, matchName)} pairs, that ignores case. */
    static java.util.SortedMap<String, String> attributes(String... pairs) {
        java.util.SortedMap<String, String> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /**
     * Parses the query parameters; {@code attributes} maps each filterable SCIM attribute to what {@link Match} calls
     * it, in a map that ignores case (SCIM attribute names do).
     */
    static ScimQuery of(String filter, String startIndex, String count, Map<String, String> attributes) {
        List<Match> matches = new ArrayList<>();
        if (filter != null && !filter.isBlank()) {
            Filter parsed;
            try {
                parsed = Filter.fromString(filter);
            } catch (BadRequestException e) {
                throw new ScimJson.Failure(400, BadRequestException.INVALID_FILTER,
                        "The filter is not valid SCIM: " + ScimJson.firstLine(e.getMessage()));
            }
            collect(parsed, attributes, matches);
        }
        int start = Math.max(1, number("startIndex", startIndex, 1));
        int size = Math.min(MAX_COUNT, Math.max(0, number("count", count, DEFAULT_COUNT)));
        return new ScimQuery(matches, start, size);
    }

    private static void collect(Filter f, Map<String, String> attributes, List<Match> into) {
        if (f.getFilterType() == FilterType.AND) {
            for (Filter part : f.getCombinedFilters()) {
                collect(part, attributes, into);
            }
            return;
        }
        if (f.getFilterType() == FilterType.EQUAL && f instanceof ComparisonFilter eq) {
            Path path = eq.getAttributePath();
            ValueNode value = eq.getComparisonValue();
            String attribute = path.size() == 1 && path.getElement(0).getValueFilter() == null
                    ? attributes.get(path.getElement(0).getAttribute())
                    : null;
            if (attribute != null && value != null && value.isTextual()) {
                into.add(new Match(attribute, value.textValue()));
                return;
            }
        }
        throw new ScimJson.Failure(400, BadRequestException.INVALID_FILTER, "Filter '" + f
                + "' is not supported: use eq on one of " + String.join(", ", attributes.keySet())
                + " (joined with and).");
    }

    private static int number(String name, String raw, int absent) {
        if (raw == null || raw.isBlank()) {
            return absent;
        }
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw ScimJson.invalidValue(name + " must be a whole number.");
        }
    }

    /** The offset of the first resource, from 0. */
    int offset() {
        return startIndex - 1;
    }
}
