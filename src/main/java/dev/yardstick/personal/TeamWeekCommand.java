package dev.yardstick.personal;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatCommand;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/** {@code ai-spend team}: the asker's team's totals this week, no individuals. */
@ApplicationScoped
public class TeamWeekCommand implements ChatCommand {

    @Inject
    PersonalFigures figures;

    @Override
    public String word() {
        return "team";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public String usage(String command, Origin origin) {
        return "**" + command + " team**: your team's totals this week (no individuals)";
    }

    @Override
    public Reply run(Origin origin, String args, String command) {
        Member member = origin.member().orElseThrow();
        return Reply.note(QuarkusTransaction.requiringNew().call(() -> {
            Team team = member.teamKey == null ? null : Team.findById(member.teamKey);
            return team == null
                    ? ChatMessage.text("You're not in a team yet, so there are no team figures to show.")
                    : figures.teamWeek(team, Instant.now());
        }));
    }

    @Override
    public String working(String args) {
        return "Looking up your team's week…";
    }
}
