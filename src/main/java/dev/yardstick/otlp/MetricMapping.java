package dev.yardstick.otlp;

import dev.yardstick.ledger.Bounds;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Picks the data points of the coding tools' usage and activity counters out of an OTLP metrics
 * request. Only sums are read, delta or cumulative; every other metric is ignored and counted.
 */
final class MetricMapping {

    /** What a metric counts. */
    enum Kind {
        TOKENS, COST, PULL_REQUESTS, COMMITS
    }

    /**
     * One data point of a known metric.
     *
     * @param series  hash of the metric name, the point's attributes and the resource's attributes
     * @param type    the token type ({@code type} attribute) of token metrics
     * @param session the {@code session.id}, else {@code "~" + user}
     */
    record Point(String series, Tool tool, Kind kind, String type, boolean cumulative, long startNanos,
            long timeNanos, double value, String user, String session, String model) {
    }

    /** What came out of a request. */
    static final class Result {

        final List<Point> points = new ArrayList<>();
        final Ignored ignored = new Ignored();
    }

    private record Known(Tool tool, Kind kind) {
    }

    private static final Map<String, Known> KNOWN = Map.of(
            "claude_code.token.usage", new Known(Tool.CLAUDE_CODE, Kind.TOKENS),
            "claude_code.cost.usage", new Known(Tool.CLAUDE_CODE, Kind.COST),
            "claude_code.pull_request.count", new Known(Tool.CLAUDE_CODE, Kind.PULL_REQUESTS),
            "claude_code.commit.count", new Known(Tool.CLAUDE_CODE, Kind.COMMITS),
            "gemini_cli.token.usage", new Known(Tool.GEMINI_CLI, Kind.TOKENS));

    private MetricMapping() {
    }

    static Result map(ExportMetricsServiceRequest request) {
        Result result = new Result();
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            Map<String, AnyValue> resource = Attrs.map(rm.getResource().getAttributesList());
            String resourceKey = canonical(rm.getResource().getAttributesList());
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    Known known = KNOWN.get(m.getName());
                    if (known == null) {
                        result.ignored.unknown++;
                        continue;
                    }
                    if (!m.hasSum()) {
                        result.ignored.unsupported++;
                        continue;
                    }
                    AggregationTemporality t = m.getSum().getAggregationTemporality();
                    if (t != AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                            && t != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
                        result.ignored.unsupported += m.getSum().getDataPointsCount();
                        continue;
                    }
                    for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                        Map<String, AnyValue> attrs = Attrs.map(p.getAttributesList());
                        String user = Attrs.email(attrs.getOrDefault("user.email", resource.get("user.email")));
                        if (user == null) {
                            result.ignored.noUser++;
                            continue;
                        }
                        double value = p.getValueCase() == NumberDataPoint.ValueCase.AS_INT
                                ? p.getAsInt()
                                : p.getAsDouble();
                        if (!Double.isFinite(value) || p.getTimeUnixNano() <= 0) {
                            result.ignored.unsupported++;
                            continue;
                        }
                        String tooLarge = tooLarge(known.kind(), value);
                        if (tooLarge != null) {
                            result.ignored.invalid(m.getName() + " " + tooLarge);
                            continue;
                        }
                        String session = Attrs.str(attrs.getOrDefault("session.id", resource.get("session.id")));
                        String model = Attrs.str(attrs.get("model"));
                        if (!Bounds.isStorable(session) || !Bounds.isStorable(model)) {
                            result.ignored.invalid("session.id or model contains the NUL character (U+0000)");
                            continue;
                        }
                        if (session == null) {
                            session = "~" + user;
                        } else if (session.length() > 200) {
                            session = Attrs.hash(session);
                        }
                        if (model == null) {
                            model = "unknown";
                        } else if (model.length() > 200) {
                            model = model.substring(0, 200);
                        }
                        String series = Attrs.hexHash(m.getName() + '\u0000' + canonical(p.getAttributesList())
                                + '\u0000' + resourceKey);
                        result.points.add(new Point(series, known.tool(), known.kind(), Attrs.str(attrs.get("type")),
                                t == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                                p.getStartTimeUnixNano(), p.getTimeUnixNano(), value, user, session, model));
                    }
                }
            }
        }
        return result;
    }

    /** Why a point's value is beyond the ledger's bounds, or {@code null} when it is within them. */
    private static String tooLarge(Kind kind, double value) {
        if (kind == Kind.COST) {
            return Math.abs(value) >= Bounds.MAX_COST_USD.doubleValue()
                    ? "must be below " + Bounds.MAX_COST_USD.toPlainString() + " (and above its negative)"
                    : null;
        }
        return Math.abs(value) > Bounds.MAX_COUNT
                ? "must be at most " + Bounds.MAX_COUNT + " (and at least its negative)"
                : null;
    }

    /** The attributes as sorted {@code key=value} text, the same whatever their order on the wire. */
    private static String canonical(List<KeyValue> kvs) {
        List<KeyValue> sorted = new ArrayList<>(kvs);
        sorted.sort(Comparator.comparing(KeyValue::getKey));
        StringBuilder sb = new StringBuilder();
        for (KeyValue kv : sorted) {
            sb.append(kv.getKey()).append('=').append(kv.getValue().toString().strip()).append('\u0001');
        }
        return sb.toString();
    }
}
