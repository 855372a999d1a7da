package dev.ocikit.image.containerfile;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An inline document of a RUN, COPY or ADD instruction ({@code <<EOF} ... {@code EOF}), in
 * BuildKit's syntax. Immutable.
 *
 * <p>For COPY and ADD, each heredoc named among the sources is a file of that name holding
 * {@link #text()}. For RUN, see {@link Instruction.Run#script()}.
 *
 * @param name the delimiter word, quotes removed ({@code EOF} for {@code <<"EOF"})
 * @param content the lines between the instruction and the delimiter line, each ending with
 *     {@code \n}, exactly as written
 * @param expand whether variables in the content are expanded: true unless the delimiter was
 *     quoted; {@link Containerfile#expand} expands COPY/ADD heredocs and clears the flag
 * @param chomp whether it was written {@code <<-EOF}: leading tabs are stripped from every line
 *     and from the delimiter line
 * @param fileDescriptor the descriptor written before {@code <<} ({@code 3<<EOF}), 0 if none
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor) {
    private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\\t+");

    public Heredoc {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
    }

    /** The content with leading tabs removed from each line if {@link #chomp()} is set. */
    public String text() {
        return chomp ? LEADING_TABS.matcher(content).replaceAll("") : content;
    }
}
