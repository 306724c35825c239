package dev.yardstick.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every metric the application registers is named in Micrometer's convention (dot-separated, lower case,
 * {@code yardstick.} first) and listed in docs/operations.md under its Prometheus name and its Micrometer name.
 */
class MetricNamesTest {

    private static final Pattern METER = Pattern.compile(
            "(registry\\.counter|registry\\.timer|registry\\.summary|Counter\\.builder|Timer\\.builder"
                    + "|Gauge\\.builder|DistributionSummary\\.builder)\\(\\s*\"([^\"]+)\"");
    private static final Pattern CONVENTION = Pattern.compile("yardstick(\\.[a-z][a-z0-9]*)+");

    @Test
    void everyMetricFollowsMicrometersConventionAndIsDocumented() throws IOException {
        Map<String, String> meters = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = METER.matcher(Files.readString(file));
                while (m.find()) {
                    meters.put(m.group(2), m.group(1).toLowerCase());
                }
            }
        }
        assertTrue(meters.size() >= 10, "found the application's meters: " + meters);
        String operations = Files.readString(Path.of("docs/operations.md"));
        List<String> wrong = new ArrayList<>();
        for (var meter : meters.entrySet()) {
            String name = meter.getKey();
            if (!CONVENTION.matcher(name).matches()) {
                wrong.add(name + " does not follow Micrometer's naming convention");
                continue;
            }
            String prometheus = name.replace('.', '_') + (meter.getValue().contains("counter")
                    ? "_total"
                    : meter.getValue().contains("timer") ? "_seconds" : "");
            if (!operations.contains("| `" + prometheus + "`") || !operations.contains("| `" + name + "` |")) {
                wrong.add(name + " (" + prometheus + ") is not in the table of docs/operations.md");
            }
        }
        assertEquals(List.of(), wrong);
    }
}
