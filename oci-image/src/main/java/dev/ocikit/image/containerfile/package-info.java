/**
 * Containerfiles (Dockerfiles) and {@code .containerignore} files: parsing, variable expansion
 * and ignore matching. Pure: nothing here runs or builds; an executor turns the parsed
 * {@link dev.ocikit.image.containerfile.Containerfile} into image builder steps.
 *
 * <h2>Syntax accepted</h2>
 * The Dockerfile syntax as BuildKit's frontend reads it:
 * <ul>
 * <li>Parser directives at the very top, before any other line (comment, blank line or
 *     instruction): {@code # escape=\} or {@code # escape=`} (backtick: for Windows paths;
 *     a backslash is then an ordinary character), {@code # syntax=...} and {@code # check=...}
 *     (accepted and ignored). An unknown directive is a comment and ends the directives.</li>
 * <li>Instruction keywords are case-insensitive. A line ending with the escape character
 *     (blanks after it tolerated) continues on the next line; comment lines and blank lines
 *     inside a continuation are skipped. {@code #} starts a comment only at the start of a line
 *     (after optional whitespace): {@code RUN echo # not a comment}.</li>
 * <li>RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD, COPY, ADD and VOLUME take a JSON array of strings
 *     (exec form); anything that is not valid JSON is the shell form, as in Docker. SHELL takes
 *     the JSON form only.</li>
 * <li>Heredocs for RUN, COPY and ADD ({@code RUN <<EOF}, {@code COPY <<EOF /dst},
 *     {@code <<-EOF} strips leading tabs, a quoted delimiter turns expansion off), not in
 *     ONBUILD triggers.</li>
 * </ul>
 *
 * <h2>Expansion: which instructions, which variables</h2>
 * Instructions are kept raw; {@link dev.ocikit.image.containerfile.Containerfile#expand} returns
 * an expanded copy and {@link dev.ocikit.image.containerfile.Substitution} expands single words.
 * <table>
 * <caption>What is expanded</caption>
 * <tr><th>Instruction</th><th>Expanded words</th><th>Variables seen</th></tr>
 * <tr><td>FROM</td><td>image, {@code --platform}</td><td>global ARGs (before the first FROM),
 *     BuildKit's automatic platform ARGs; {@link dev.ocikit.image.containerfile.Stage#baseImage(java.util.function.Function)}</td></tr>
 * <tr><td>ARG before FROM</td><td>defaults</td><td>the global ARGs before it</td></tr>
 * <tr><td>ARG, ENV, LABEL</td><td>ARG defaults; ENV/LABEL keys and values</td><td rowspan="3">
 *     the stage's variables so far: ENV values win over ARG values; an ARG is seen only after
 *     the stage declares it (a global ARG needs {@code ARG NAME} in the stage)</td></tr>
 * <tr><td>ADD, COPY</td><td>sources, destination, {@code --from} {@code --chown}
 *     {@code --chmod} {@code --checksum} {@code --exclude}, unquoted heredoc bodies</td></tr>
 * <tr><td>EXPOSE, STOPSIGNAL, USER, VOLUME, WORKDIR, RUN {@code --mount} values</td><td>all
 *     words (EXPOSE splits expanded words on whitespace)</td></tr>
 * <tr><td>RUN command, CMD, ENTRYPOINT, HEALTHCHECK, SHELL</td><td>nothing: the shell
 *     expands shell-form commands when they run, with the stage's ENV and ARG values in the
 *     environment</td><td></td></tr>
 * <tr><td>MAINTAINER, ONBUILD</td><td>nothing (an ONBUILD trigger is expanded when a build
 *     that uses the image runs it)</td><td></td></tr>
 * </table>
 *
 * <h2>Errors</h2>
 * Every problem is a {@link dev.ocikit.image.containerfile.ContainerfileException} whose message
 * reads {@code Containerfile:7: COPY: requires at least two arguments, got 1: COPY source... destination}.
 */
package dev.ocikit.image.containerfile;
