package dev.yardstick.personal;

import dev.yardstick.admin.Member;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.HomePage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/** The home page: the person's own week and their pending budget requests. */
@ApplicationScoped
public class OwnHomePage implements HomePage {

    @Inject
    PersonalFigures figures;
    @Inject
    BudgetService budgets;

    @Override
    public ChatMessage of(Member member) {
        return QuarkusTransaction.requiringNew()
                .call(() -> figures.home(member, Instant.now(), budgets.pendingOf(member.id)));
    }
}
