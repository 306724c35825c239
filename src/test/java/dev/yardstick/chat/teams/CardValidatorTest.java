package dev.yardstick.chat.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.chat.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The official schema does refuse what Teams would not render, so the card tests can fail. */
class CardValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theOfficialSchemaAcceptsOurCardsAndRefusesMadeUpProperties() throws Exception {
        ObjectNode card = AdaptiveCards.card(ChatMessage.builder("t").header("Title").paragraph("Text")
                .buttons(new ChatMessage.Button("a", "Go", "1", "primary"))
                .live("a.current", "1", List.of()).build(), null);
        assertEquals(List.of(), CardValidator.problems(card), card.toString());

        ObjectNode made = card.deepCopy();
        ((ObjectNode) made.path("body").path(0)).put("colour", "Good");
        assertFalse(CardValidator.problems(made).isEmpty(), "a property TextBlock does not have");
        ObjectNode unknown = card.deepCopy();
        unknown.withArray("body").addObject().put("type", "Carousel");
        assertFalse(CardValidator.problems(unknown).isEmpty(), "an element 1.5 does not have");
        ObjectNode refresh = card.deepCopy();
        ((ObjectNode) refresh.path("refresh")).put("users", "29:x");
        assertFalse(CardValidator.problems(refresh).isEmpty(), "refresh names its users userIds");
        ObjectNode old = card.deepCopy().put("version", "1.2");
        assertFalse(CardValidator.problems(old).isEmpty());
        assertFalse(CardValidator.problems(JSON.readTree("{\"type\":\"AdaptiveCard\",\"version\":\"1.5\","
                + "\"body\":[{\"type\":\"TextBlock\",\"text\":\"x\",\"size\":\"Huge\"}]}")).isEmpty(), "enum");
    }
}
