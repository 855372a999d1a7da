/**
 * The OCI runtime command-line invoker: {@link dev.ocikit.runtime.invoker.RuntimeCli} runs
 * {@code runc}/{@code crun} commands with typed results and failures and refuses runtimes
 * affected by CVE-2019-5736 / CVE-2024-21626; {@link dev.ocikit.runtime.invoker.ChildReaper} makes
 * the JVM the subreaper of container processes and reports their exit codes;
 * {@link dev.ocikit.runtime.invoker.ConsoleSocket} receives a container's pty master as a
 * {@link dev.ocikit.runtime.invoker.Terminal}.
 *
 * <p>The sequence for a detached container:
 * <pre>{@code
 * ChildReaper.install();                                   // once, before any create
 * RuntimeCli runc = RuntimeCli.runc().root(stateRoot).log(containerDir.resolve("runtime.log"));
 * runc.create(id, bundle, CreateOptions.defaults()
 *         .pidFile(containerDir.resolve("pid"))
 *         .stdin(Redirect.from(stdinFifo)).stdout(Redirect.to(stdoutFifo)).stderr(Redirect.to(stderrFifo)));
 * long pid = RuntimeCli.readPidFile(containerDir.resolve("pid"));
 * CompletableFuture<Integer> exit = ChildReaper.exitOf(pid);
 * // network setup in /proc/<pid>/ns/net
 * runc.start(id);
 * ...
 * runc.kill(id, "TERM", false);  // then, after a grace period, "KILL"
 * exit.get();
 * runc.delete(id, true);
 * }</pre>
 */
package dev.ocikit.runtime.invoker;
