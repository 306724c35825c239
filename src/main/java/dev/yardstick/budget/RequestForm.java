package dev.yardstick.budget;

import dev.yardstick.chat.Form;
import dev.yardstick.chat.FormHandler;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** The budget-request form: an amount, what it is for, and whether it is for this week only or permanent. */
@ApplicationScoped
public class RequestForm implements FormHandler {

    /** The form's id. */
    public static final String ID = "budget-request";
    private static final Form FORM = new Form(ID, "More AI budget", "Send request", List.of(
            Form.Field.text("amount", "Amount (USD)", "150"), Form.Field.lines("reason", "What is it for?", 1000),
            Form.Field.choice("scope", "For how long?", List.of(new Form.Choice("week", "This week only"),
                    new Form.Choice("permanent", "Permanent (raises the weekly budget)")))));

    @Inject
    RequestCommand command;

    @Override
    public Form form() {
        return FORM;
    }

    @Override
    public Map<String, String> check(Map<String, String> fields) {
        if (BudgetService.parseAmount(fields.get("amount")) == null) {
            return Map.of("amount", "Enter an amount in US dollars, like 150");
        }
        String reason = fields.get("reason");
        if (reason == null || reason.isBlank()) {
            return Map.of("reason", "Say what the budget is for");
        }
        return Map.of();
    }

    @Override
    public Reply submit(Origin origin, Map<String, String> fields) {
        BigDecimal amount = BudgetService.parseAmount(fields.get("amount"));
        String scope = "permanent".equals(fields.get("scope")) ? "permanent" : "week";
        return command.ask(origin, amount, scope, fields.get("reason").trim());
    }
}
