package dev.yardstick.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.yardstick.admin.PersonalData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The outbox's part of an erasure: every message addressed to the person (their DMs, home views, updates of those)
 * is deleted, whether sent or not, with their pacing slots; in every other message the person's email and chat ids
 * are replaced by the anonymous id. Messages that name the person by display name belong to a feature, which asks
 * for them by key ({@link Messenger#rewrite}). Runs before the platforms' own erasure, since it asks each platform
 * where it reaches the person.
 */
@ApplicationScoped
public class OutboxPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;
    @Inject
    Instance<ChatTransport> transports;
    @Inject
    ObjectMapper mapper;

    @Override
    public int order() {
        return -10;
    }

    @Override
    public Map<String, Integer> erase(Subject s) {
        Set<String> targets = new LinkedHashSet<>();
        for (ChatTransport t : transports) {
            Optional<ChatTransport.Address> a = t.member(s.memberId());
            a.ifPresent(x -> targets.add(x.target()));
        }
        for (String id : new String[]{s.slackUserId(), s.teamsUserId()}) {
            if (id != null) {
                targets.add(id);
            }
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            String[] to = targets.toArray(String[]::new);
            try (PreparedStatement ps = c.prepareStatement("delete from outbox_message where target = any(?)")) {
                ps.setArray(1, c.createArrayOf("text", to));
                out.put("outbox_message", ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "delete from outbox_pace where split_part(pace_key, '|', 3) = any(?) or pace_key ilike any(?)")) {
                ps.setArray(1, c.createArrayOf("text", to));
                ps.setArray(2, c.createArrayOf("text", distinctive(s)));
                out.put("outbox_pace", ps.executeUpdate());
            }
            out.merge("outbox_message", anonymiseRest(c, s), Integer::sum);
        } catch (SQLException e) {
            throw new IllegalStateException("outbox erasure failed", e);
        }
        return out;
    }

    /** Patterns of the identifiers that cannot be an ordinary word: the email and the chat ids. */
    private static String[] distinctive(Subject s) {
        List<String> out = new ArrayList<>();
        for (String id : new String[]{s.storedEmail(), s.slackUserId(), s.teamsUserId()}) {
            if (id != null) {
                out.add("%" + id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            }
        }
        return out.toArray(String[]::new);
    }

    private int anonymiseRest(Connection c, Subject s) throws SQLException {
        record Row(long id, String[] values) {
        }
        String[] columns = {"dedupe_key", "workspace", "target", "update_of", "body", "external_id",
                "external_channel", "last_error"};
        String all = "concat_ws(' ', " + String.join(", ", columns) + ")";
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select id, " + String.join(", ", columns)
                + " from outbox_message where " + all + " ilike any(?) order by id for update")) {
            ps.setArray(1, c.createArrayOf("text", distinctive(s)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] v = new String[columns.length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rs.getString(i + 2);
                    }
                    rows.add(new Row(rs.getLong(1), v));
                }
            }
        }
        StringBuilder sql = new StringBuilder("update outbox_message set ");
        for (int i = 0; i < columns.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(columns[i]).append(" = ?");
        }
        sql.append(" where id = ?");
        int changed = 0;
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (Row r : rows) {
                for (int i = 0; i < columns.length; i++) {
                    String v = r.values()[i];
                    ps.setString(i + 1, "body".equals(columns[i])
                            ? rewriteBody(mapper, v, s::anonymise)
                            : s.anonymise(v, limit(columns[i])));
                }
                ps.setLong(columns.length + 1, r.id());
                ps.addBatch();
                changed++;
            }
            ps.executeBatch();
        }
        return changed;
    }

    private static int limit(String column) {
        return switch (column) {
            case "dedupe_key", "update_of" -> 300;
            case "workspace" -> 64;
            case "target" -> 2048;
            case "last_error" -> 1000;
            default -> 200;
        };
    }

    /** A message body (the JSON of a {@link ChatMessage}) with {@code text} applied to each of its strings. */
    static String rewriteBody(ObjectMapper mapper, String json, UnaryOperator<String> text) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode tree = mapper.readTree(json);
            return mapper.writeValueAsString(rewrite(tree, text));
        } catch (JsonProcessingException e) {
            return text.apply(json);
        }
    }

    private static JsonNode rewrite(JsonNode node, UnaryOperator<String> text) {
        if (node.isTextual()) {
            return TextNode.valueOf(text.apply(node.textValue()));
        }
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                o.set(name, rewrite(o.get(name), text));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, rewrite(a.get(i), text));
            }
        }
        return node;
    }
}
