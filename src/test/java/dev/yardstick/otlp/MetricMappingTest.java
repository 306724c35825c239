package dev.yardstick.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mapping of the coding tools' usage counters to data points (docs/connect-claude-code.md), without a service. */
class MetricMappingTest {

    private static final long T = 1_780_000_000_000_000_000L;

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static NumberDataPoint.Builder point(double value, KeyValue... attrs) {
        return NumberDataPoint.newBuilder().setAsDouble(value).setStartTimeUnixNano(T - 60_000_000_000L)
                .setTimeUnixNano(T).addAllAttributes(List.of(attrs));
    }

    private static Metric sum(String name, AggregationTemporality t, NumberDataPoint.Builder... points) {
        Sum.Builder sum = Sum.newBuilder().setAggregationTemporality(t).setIsMonotonic(true);
        for (NumberDataPoint.Builder p : points) {
            sum.addDataPoints(p);
        }
        return Metric.newBuilder().setName(name).setSum(sum).build();
    }

    private static MetricMapping.Result map(List<KeyValue> resource, Metric... metrics) {
        return MetricMapping.map(ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAllAttributes(resource))
                        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics))))
                .build());
    }

    @Test
    void claudeCodeTokenAndCostCountersArePointsOfTheirSessionAndModel() {
        MetricMapping.Result r = map(List.of(kv("service.name", "claude-code"), kv("user.email", "Ana@Example.com")),
                sum("claude_code.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                        point(1200, kv("type", "input"), kv("model", "claude-sonnet-4-5"), kv("session.id", "s-1")),
                        point(300, kv("type", "output"), kv("model", "claude-sonnet-4-5"), kv("session.id", "s-1"))),
                sum("claude_code.cost.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                        point(0.0123, kv("model", "claude-sonnet-4-5"), kv("session.id", "s-1"))));
        assertEquals(3, r.points.size());
        MetricMapping.Point input = r.points.get(0);
        assertEquals(MetricMapping.Kind.TOKENS, input.kind());
        assertEquals("input", input.type());
        assertTrue(input.cumulative());
        assertEquals(1200, input.value());
        assertEquals("ana@example.com", input.user());
        assertEquals("s-1", input.session());
        assertEquals("claude-sonnet-4-5", input.model());
        MetricMapping.Point cost = r.points.get(2);
        assertEquals(MetricMapping.Kind.COST, cost.kind());
        assertFalse(cost.cumulative());
        // one series per metric and attribute set
        assertNotEquals(input.series(), r.points.get(1).series());
    }

    @Test
    void theSeriesIsTheSameWhateverTheOrderOfAttributes() {
        MetricMapping.Result a = map(List.of(kv("user.email", "ana@example.com"), kv("host.name", "h")),
                sum("claude_code.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                        point(1, kv("type", "input"), kv("model", "m"))));
        MetricMapping.Result b = map(List.of(kv("host.name", "h"), kv("user.email", "ana@example.com")),
                sum("claude_code.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                        point(1, kv("model", "m"), kv("type", "input"))));
        assertEquals(a.points.get(0).series(), b.points.get(0).series());
    }

    @Test
    void withoutASessionThePersonIsTheSessionAndWithoutAModelItIsUnknown() {
        MetricMapping.Result r = map(List.of(kv("user.email", "ana@example.com")),
                sum("gemini_cli.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                        point(10, kv("type", "input"))));
        assertEquals("~ana@example.com", r.points.get(0).session());
        assertEquals("unknown", r.points.get(0).model());
        assertEquals(Tool.GEMINI_CLI, r.points.get(0).tool());
    }

    @Test
    void unknownUnsupportedPersonlessAndOutOfBoundsPointsAreCountedNotMapped() {
        Metric gauge = Metric.newBuilder().setName("claude_code.token.usage")
                .setGauge(Gauge.newBuilder().addDataPoints(point(1))).build();
        MetricMapping.Result r = map(List.of(),
                sum("claude_code.session.count", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, point(1)),
                gauge,
                sum("claude_code.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED, point(1)),
                sum("claude_code.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, point(5)),
                sum("claude_code.cost.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                        point(1e12, kv("user.email", "ana@example.com")),
                        point(Double.NaN, kv("user.email", "ana@example.com"))));
        assertTrue(r.points.isEmpty());
        assertEquals(1, r.ignored.unknown);
        assertEquals(3, r.ignored.unsupported); // the gauge, the unspecified temporality, NaN
        assertEquals(1, r.ignored.noUser);
        assertEquals(1, r.ignored.invalid);
    }
}
