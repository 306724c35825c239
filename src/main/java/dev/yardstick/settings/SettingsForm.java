package dev.yardstick.settings;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.admin.TeamSettings;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Form;
import dev.yardstick.chat.FormHandler;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The team settings form: a team's weekly budget, runaway lines, digest day and time, timezone and channel, filled in
 * with the current values, for that team's managers only (checked when it opens and again when it is submitted).
 * Submissions are checked as the team API checks them ({@link TeamSettings}); what changed is recorded in the team's
 * audit and told to the other managers ({@link SettingsNotices}). Every sentence about team settings is here.
 */
@ApplicationScoped
public class SettingsForm implements FormHandler {

    /** The form's id. */
    public static final String ID = "team-settings";

    @Inject
    TeamSettings settings;

    @Override
    public Form form() {
        return blank("slack");
    }

    @Override
    public Form form(Origin origin) {
        return blank(origin.platform());
    }

    /** The form's fields on a platform (Slack picks its channel; elsewhere the channel id is typed). */
    private static Form blank(String platform) {
        List<Form.Field> fields = new ArrayList<>();
        fields.add(Form.Field.text(TeamSettings.WEEKLY_BUDGET, "Weekly budget (USD)", "Blank: no budget")
                .optionally());
        fields.add(Form.Field.text(TeamSettings.RUNAWAY_COST, "Runaway line: a session's cost in any 15 minutes (USD)",
                "25"));
        fields.add(Form.Field.text(TeamSettings.RUNAWAY_REQUESTS,
                "Runaway line: a session's requests in any 15 minutes", "300"));
        fields.add(Form.Field.choice(TeamSettings.DIGEST_DAY, "Digest day", Arrays.stream(DayOfWeek.values())
                .map(d -> new Form.Choice(d.name(), d.getDisplayName(TextStyle.FULL, Locale.ENGLISH))).toList()));
        fields.add(Form.Field.text(TeamSettings.DIGEST_TIME, "Digest time (HH:mm)", "09:00"));
        fields.add(Form.Field.text(TeamSettings.TIMEZONE, "Time zone (IANA)", "Europe/Berlin"));
        fields.add("teams".equals(platform)
                ? Form.Field.channel(TeamSettings.TEAMS_CHANNEL, "Teams channel id (digest and alerts)",
                        "19:abc@thread.tacv2")
                : Form.Field.channel(TeamSettings.SLACK_CHANNEL, "Slack channel (digest and alerts)", "C0123ABCD"));
        return new Form(ID, "Team settings", "Save", fields);
    }

    /** The form for a team, filled in with its current settings. */
    Form of(Origin origin, Team team) {
        Form blank = blank(origin.platform());
        Map<String, String> current = TeamSettings.values(team);
        return new Form(ID, title(team), blank.submit(), blank.fields(), team.key).withValues(current);
    }

    private static String title(Team team) {
        String t = "Settings: " + team.key;
        return t.length() > 24 ? t.substring(0, 23) + "…" : t; // a Slack modal's title is at most 24 characters
    }

    @Override
    public Map<String, String> check(Map<String, String> fields) {
        return settings.check(fields);
    }

    @Override
    public Reply submit(Origin origin, Map<String, String> fields) {
        Member member = origin.member().orElseThrow();
        String key = fields.get(Form.CONTEXT);
        Team before = key == null ? null : QuarkusTransaction.requiringNew().call(() -> Team.live(key).orElse(null));
        if (before == null) {
            return Reply.note(noTeam(key));
        }
        if (!TeamSettings.manages(before, member.email)) {
            return Reply.note(onlyManagers(before));
        }
        origin.reach(before.managers);
        Map<String, String> values = new HashMap<>(fields);
        values.remove(Form.CONTEXT);
        TeamSettings.Outcome out = settings.change(key, values, member.email, origin.platform());
        if (out.team() == null) {
            return Reply.note(noTeam(key));
        }
        if (!out.manager()) {
            return Reply.note(onlyManagers(out.team()));
        }
        if (!out.errors().isEmpty()) {
            return Reply.errors(out.errors());
        }
        if (out.changes().isEmpty()) {
            return Reply.note("Nothing changed: those are team " + name(out.team().name, key) + "'s settings already.");
        }
        return Reply.note(ChatMessage.text("Saved team " + name(out.team().name, key) + "'s settings: "
                + describe(out.changes()) + "."));
    }

    /** What a person who manages no such team is told; nothing opens and nothing changes. */
    static String onlyManagers(Team team) {
        return "Only the managers of team " + name(team.name, team.key) + " can change its settings; nothing was "
                + "changed. Ask one of them, or your Yardstick admin.";
    }

    static String noTeam(String key) {
        return "There is no team '" + key + "'; nothing was changed.";
    }

    static String name(String name, String key) {
        return name == null || name.isBlank() ? key : name;
    }

    /** The changes, as people read them: {@code weekly budget $500.00 → $800.00; digest time 09:00 → 10:00}. */
    static String describe(List<TeamSettings.Change> changes) {
        return changes.stream().map(c -> label(c.field()) + " " + value(c.field(), c.from()) + " → "
                + value(c.field(), c.to())).collect(Collectors.joining("; "));
    }

    private static String label(String field) {
        return switch (field) {
            case TeamSettings.WEEKLY_BUDGET -> "weekly budget";
            case TeamSettings.RUNAWAY_COST -> "runaway cost line";
            case TeamSettings.RUNAWAY_REQUESTS -> "runaway request line";
            case TeamSettings.DIGEST_DAY -> "digest day";
            case TeamSettings.DIGEST_TIME -> "digest time";
            case TeamSettings.TIMEZONE -> "time zone";
            case TeamSettings.SLACK_CHANNEL -> "Slack channel";
            case TeamSettings.TEAMS_CHANNEL -> "Teams channel";
            case "teamsWebhook" -> "Teams webhook";
            default -> field;
        };
    }

    private static String value(String field, String v) {
        if (v == null) {
            return "none";
        }
        if (TeamSettings.WEEKLY_BUDGET.equals(field) || TeamSettings.RUNAWAY_COST.equals(field)) {
            return Format.usd(new BigDecimal(v));
        }
        if (TeamSettings.DIGEST_DAY.equals(field)) {
            return v.charAt(0) + v.substring(1).toLowerCase(Locale.ROOT);
        }
        return v;
    }
}
