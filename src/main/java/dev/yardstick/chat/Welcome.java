package dev.yardstick.chat;

/**
 * What Yardstick says once when it is installed somewhere (a team, a group chat, a person's 1:1 chat): what it does,
 * its privacy promise, and how to ask for help. Composed once here; each platform renders it.
 */
public final class Welcome {

    private Welcome() {
    }

    /**
     * The welcome.
     *
     * @param command     how people type the command on that platform ({@code ai-spend})
     * @param privateChat whether it is a 1:1 chat with the person (else a channel or a group chat)
     */
    public static ChatMessage of(String command, boolean privateChat) {
        String what = privateChat
                ? "I put what your team ships next to what it spends on AI. Here, and only here, I show you your "
                        + "own week against your own history: type **" + command + "**."
                : "I put what this team ships next to what it spends on AI. Each week the team's channel gets a "
                        + "digest: spend against the budget, what shipped, the cost per shipped item and its trend.";
        String help = privateChat
                ? "Type **help** to see everything I can do."
                : "To see what I can do, type **help** in a 1:1 chat with me; your own figures are answered there.";
        return ChatMessage.builder("Hi, I'm Yardstick. " + stripped(what)).header("Hi, I'm Yardstick")
                .paragraph(what)
                .paragraph("Your own figures go only to you. Nothing I post in a channel names, mentions or ranks a "
                        + "person, and there is no leaderboard: budgets, not targets.")
                .paragraph(help).build();
    }

    private static String stripped(String s) {
        return s.replace("**", "");
    }
}
