package dev.yardstick.admin;

/**
 * Fired, in the transaction that made the change, when a team's effective weekly budget may have changed (an
 * approved request); observers act in that transaction.
 *
 * @param teamKey the team
 */
public record BudgetChanged(String teamKey) {
}
