package dev.yardstick.ledger;

import java.math.BigDecimal;

/**
 * What a void call did.
 *
 * @param voidId  its record, or {@code null} when it voided nothing (all already voided, or none matched)
 * @param events  how many events it voided
 * @param costUsd their cost (usage; zero for outcomes)
 */
public record VoidResult(Long voidId, int events, BigDecimal costUsd) {
}
