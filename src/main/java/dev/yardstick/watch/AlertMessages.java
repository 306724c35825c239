package dev.yardstick.watch;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.ledger.Summary;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The words of alerts, in the neutral message model: numbers first, one sentence of meaning, no blame. */
final class AlertMessages {

    private static final Map<String, String> TOOLS = Map.of("claude-code", "Claude Code", "cursor", "Cursor",
            "copilot", "Copilot", "codex", "Codex", "gemini-cli", "Gemini CLI", "anthropic-api", "Anthropic API",
            "openai-api", "OpenAI API", "other", "An AI tool");

    private AlertMessages() {
    }

    static String tool(String tool) {
        return TOOLS.getOrDefault(tool, tool);
    }

    static String requests(long n) {
        return n + (n == 1 ? " request" : " requests");
    }

    static String duration(int minutes) {
        return minutes < 60
                ? minutes + " min"
                : minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }

    private static String session(Alert a) {
        return a.sessionKey.startsWith("tool:") ? "(no session id)" : a.sessionKey;
    }

    /** "48k" for 48,213 tokens; "850" below a thousand. */
    static String tokens(long n) {
        return n < 1000 ? Long.toString(n) : Math.round(n / 1000.0) + "k";
    }

    private static String clock(long epochSecond, java.time.ZoneId zone) {
        return java.time.Instant.ofEpochSecond(epochSecond).atZone(zone).toLocalTime()
                .truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString();
    }

    private static String span(long from, long to) {
        return duration((int) Math.max(1, Math.round((to - from) / 60.0)));
    }

    /**
     * The one sentence naming what a runaway alert was raised on (kept with the alert): the evidence, whether the
     * person has prompted the session lately, and what it has cost since the pattern began. {@code e} is null for a
     * session decided on the shared figures (a ceiling crossed by several replicas' usage together).
     */
    static String evidence(Alert a, RunawayDetector.Reading r, RunawayDetector.Thresholds t, LoopSignals.Evidence e) {
        if (e == null) {
            return "requests".equals(a.reason)
                    ? r.peakRequests() + " requests within 15 minutes, past your team's ceiling of " + t.requests()
                    : Format.usd(r.peakCostUsd()) + " within 15 minutes, past your team's ceiling of "
                            + Format.usd(t.costUsd());
        }
        String when = RunawayDetector.nightStart(java.time.Instant.ofEpochSecond(e.until()), t.zone()) != null
                ? " overnight"
                : e.night() ? " at the weekend" : "";
        String what = switch (e.pattern()) {
            case "cost" ->
                Format.usd(BigDecimal.valueOf(e.cost15())) + " within 15 minutes, past your team's ceiling of "
                        + Format.usd(t.costUsd());
            case "requests" -> e.requests15() + " requests within 15 minutes, past your team's ceiling of "
                    + t.requests();
            case LoopSignals.BASELINE -> Format.usd(BigDecimal.valueOf(e.cost15())) + " within 15 minutes, more than"
                    + " your busiest day with " + a.model + " in the last four weeks ("
                    + Format.usd(BigDecimal.valueOf(e.usualUsd())) + ")";
            case LoopSignals.RETRY -> e.times() + " failed tool calls or API errors in " + span(e.since(), e.until());
            default -> e.tokens() > 0
                    ? "the same " + tokens(e.tokens()) + "-token request " + e.times() + " times in "
                            + span(e.since(), e.until()) + when
                    : e.times() + " failed tool calls or API errors in " + span(e.since(), e.until()) + when;
        };
        String prompt = e.lastPrompt() == -1 || e.lastPrompt() >= e.since()
                ? ""
                : e.lastPrompt() == Long.MIN_VALUE
                        ? ", no prompt from you in this session"
                        : ", no prompt from you since " + clock(e.lastPrompt(), t.zone());
        return what + prompt + "; " + Format.usd(BigDecimal.valueOf(e.costSince())) + " since it began at "
                + clock(e.since(), t.zone());
    }

    /** The DM to a runaway session's user, with the two buttons. */
    static ChatMessage runaway(Alert a, RunawayDetector.Reading r, RunawayDetector.Thresholds t,
            LoopSignals.Evidence e) {
        String tool = tool(a.tool);
        String text = "Your " + tool + " session may be looping: " + a.evidence + ". Is it stuck?";
        return ChatMessage.builder(text)
                .header("An agent session may be looping")
                .paragraph("Your **" + tool + "** session: " + a.evidence + ".")
                .facts(List.of(new ChatMessage.Fact("Tool", tool), new ChatMessage.Fact("Model", a.model),
                        new ChatMessage.Fact("Session", session(a)),
                        new ChatMessage.Fact("Spent so far", Format.usd(a.amountUsd) + " · " + requests(a.requests)),
                        new ChatMessage.Fact("Running for", duration(a.minutes))))
                .paragraph("If it is retrying the same step, stopping it now saves the most. If it is meant to run, "
                        + "say so: I won't ask about this session again, and I'll expect more of sessions like it.")
                .buttons(new ChatMessage.Button(RunawayAlerts.INTENDED, "It's intended", a.id.toString(), "primary"),
                        new ChatMessage.Button(RunawayAlerts.SNOOZE_ACTION, "Snooze 24 h", a.id.toString(), null))
                .note("Only you see this. Alert #" + a.id + " · your team's ceilings: " + Format.usd(t.costUsd())
                        + " or " + t.requests() + " requests in 15 minutes; below them, only a loop's pattern alerts.")
                .build();
    }

    /** The runaway DM once its user has answered: the figures stay, the buttons go. */
    static ChatMessage settled(Alert a, Member member) {
        String outcome = "intended".equals(a.status)
                ? "Marked as intended: no more alerts about this session."
                : "Snoozed: no runaway alerts for you for the next 24 hours.";
        String tool = tool(a.tool);
        return ChatMessage.builder(outcome)
                .header("An agent session may be looping")
                .facts(List.of(new ChatMessage.Fact("Tool", tool), new ChatMessage.Fact("Model", a.model),
                        new ChatMessage.Fact("Session", session(a)),
                        new ChatMessage.Fact("Spent so far", Format.usd(a.amountUsd) + " · " + requests(a.requests))))
                .paragraph("**" + outcome + "**")
                .note("Only you see this. Alert #" + a.id)
                .build();
    }

    /** Why a voided alert was closed, in its replaced DM and to a click on its old buttons. */
    static final String VOIDED_NOTE = "This alert was closed: an admin voided the usage that raised it, so there is "
            + "nothing to do.";

    /** A runaway alert's DM (and its escalation) once the usage that raised it was voided: no figures, no buttons. */
    static ChatMessage voided(Alert a) {
        return ChatMessage.builder(VOIDED_NOTE)
                .header("Alert withdrawn")
                .facts(List.of(new ChatMessage.Fact("Tool", tool(a.tool)), new ChatMessage.Fact("Session", session(a))))
                .paragraph(VOIDED_NOTE)
                .note("Alert #" + a.id)
                .build();
    }

    /** A budget alert's DM to managers once voiding took the team's spend back under its line. */
    static ChatMessage budgetVoided(Alert a, Team team, BigDecimal spent, BigDecimal budget) {
        String text = "Budget alert withdrawn: after an admin voided usage, " + team.name + " has used "
                + Format.usd(spent) + " of " + Format.usd(budget) + " (" + Format.percent(spent, budget)
                + ") in the week of " + a.weekStart + ", under the line this alert was about.";
        return ChatMessage.builder(text)
                .header("Budget alert withdrawn")
                .paragraph(text)
                .note("Only managers of " + team.name + " get this. Alert #" + a.id)
                .build();
    }

    /** The one DM to each manager when a flagged session reaches four times its team's line. */
    static ChatMessage escalation(Alert a, RunawayDetector.Reading r, RunawayDetector.Thresholds t, Member member,
            Team team) {
        String who = member.displayName != null && !member.displayName.isBlank() ? member.displayName : member.email;
        String tool = tool(a.tool);
        String status = switch (a.status) {
            case "intended" -> who + " marked it as intended.";
            case "snoozed" -> who + " has snoozed runaway alerts.";
            default -> who + " was alerted " + duration(
                    (int) Math.max(1, Duration.between(a.createdAt, java.time.Instant.now()).toMinutes()))
                    + " ago and has not answered yet.";
        };
        String text = who + "'s " + tool + " session has spent " + Format.usd(r.totalCostUsd())
                + ", four times " + team.name + "'s runaway line";
        return ChatMessage.builder(text)
                .header("A runaway session keeps going")
                .paragraph("**" + who + "**'s " + tool + " session has spent **" + Format.usd(r.totalCostUsd())
                        + "** (" + requests(r.totalRequests()) + ") in " + duration(r.minutes())
                        + ", four times " + team.name + "'s line of " + Format.usd(t.costUsd()) + " or "
                        + t.requests() + " requests in 15 minutes. " + status)
                .facts(List.of(new ChatMessage.Fact("Tool", tool), new ChatMessage.Fact("Model", a.model),
                        new ChatMessage.Fact("Session", session(a))))
                .paragraph("You own " + team.name + "'s budget, so you hear about it once; a quick word with "
                        + who + " is usually all it takes.")
                .note("Only managers of " + team.name + " get this. Alert #" + a.id)
                .build();
    }

    /** A budget threshold DM to a team's managers. */
    static ChatMessage budget(String kind, Team team, Summary week, BigDecimal budget, LocalDate weekStart) {
        String spent = Format.usd(week.costUsd()) + " of " + Format.usd(budget) + " ("
                + Format.percent(week.costUsd(), budget) + ")";
        String shipped = week.outcomesTotal() + (week.outcomesTotal() == 1 ? " item" : " items") + " shipped"
                + (week.costPerOutcomeUsd() == null ? "" : ", " + Format.usd(week.costPerOutcomeUsd()) + " each");
        String text = switch (kind) {
            case Alert.BUDGET_100 -> team.name + " has used its AI budget for the week: " + spent;
            case Alert.BUDGET_80 -> team.name + " has used " + Format.percent(week.costUsd(), budget)
                    + " of its AI budget for the week: " + spent;
            default -> "At this week's rate, " + team.name + " will run out of AI budget before the week ends: "
                    + spent + " so far";
        };
        String meaning = switch (kind) {
            case Alert.BUDGET_100 -> "Nothing is blocked. If the work needs more this week, approve a request; if "
                    + "not, the budget resets on " + weekStart.plusWeeks(1).getDayOfWeek().getDisplayName(
                            java.time.format.TextStyle.FULL, java.util.Locale.US)
                    + ".";
            case Alert.BUDGET_80 -> "Worth a look at what is driving it before the week ends.";
            default -> "A heads-up, not a problem yet: a look at the model mix or at long-running agents "
                    + "usually explains it.";
        };
        return ChatMessage.builder(text)
                .header(switch (kind) {
                    case Alert.BUDGET_100 -> "Weekly AI budget reached";
                    case Alert.BUDGET_80 -> "80% of the weekly AI budget used";
                    default -> "AI budget on pace to run out";
                })
                .paragraph("**" + team.name + "**: " + spent + " in the week of " + weekStart + ". " + meaning)
                .facts(List.of(new ChatMessage.Fact("Spent", spent), new ChatMessage.Fact("Shipped", shipped)))
                .note("Only managers of " + team.name + " get this; once per week.")
                .build();
    }
}
