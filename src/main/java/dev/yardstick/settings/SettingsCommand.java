package dev.yardstick.settings;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.admin.TeamSettings;
import dev.yardstick.chat.ChatAction;
import dev.yardstick.chat.ChatCommand;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ai-spend settings [team]} and the "Team settings" button of a manager's home page: opens
 * {@link SettingsForm} for a team the person manages (without a key: the only one they manage).
 */
@ApplicationScoped
public class SettingsCommand implements ChatCommand, ChatAction {

    /** The action of the home page's "Team settings" button; its value is the team's key. */
    public static final String OPEN = "team-settings";

    @Inject
    SettingsForm form;

    @Override
    public String word() {
        return "settings";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public String usage(String command, Origin origin) {
        return "**" + command + " settings [team]**: change your team's weekly budget, runaway lines, digest and "
                + "channel (managers)";
    }

    @Override
    public Reply run(Origin origin, String args, String command) {
        String key = args.isBlank() ? null : args.trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
        return open(origin, key, command);
    }

    @Override
    public Set<String> actions() {
        return Set.of(OPEN);
    }

    @Override
    public Reply click(Origin origin, String action, String value) {
        if (origin.member().isEmpty()) {
            return Reply.none();
        }
        return open(origin, value == null || value.isBlank() ? null : value.trim(), "ai-spend");
    }

    private Reply open(Origin origin, String key, String command) {
        Member member = origin.member().orElseThrow();
        return QuarkusTransaction.requiringNew().call(() -> {
            Team team;
            if (key != null) {
                team = Team.live(key).orElse(null);
                if (team == null) {
                    return Reply.note(SettingsForm.noTeam(key));
                }
            } else {
                List<Team> managed = TeamSettings.managedBy(member.email);
                if (managed.size() > 1) {
                    return Reply.note("You manage " + managed.size() + " teams: "
                            + managed.stream().map(t -> t.key).collect(Collectors.joining(", "))
                            + ". Say which: " + command + " settings <team>, for example " + command + " settings "
                            + managed.get(0).key + ".");
                }
                team = managed.isEmpty()
                        ? (member.teamKey == null ? null : Team.live(member.teamKey).orElse(null))
                        : managed.get(0);
                if (team == null) {
                    return Reply.note("You manage no team, so there are no team settings for you to change. "
                            + "Your Yardstick admin can make you a manager.");
                }
            }
            if (!TeamSettings.manages(team, member.email)) {
                return Reply.note(SettingsForm.onlyManagers(team));
            }
            return Reply.form(form.of(origin, team));
        });
    }
}
